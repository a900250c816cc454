/**
 * `deployments/watchdog_state.json` (surface.md §3, §4), written atomically by
 * `monitoring/system_watchdog.py` with `.bak` rotation. Its `alerts` keeps the last 100
 * `{timestamp, severity, process, message}`; each alert not there at the last look is one
 * `watchdog.alert`. (The Feb-5 sample: CRITICAL "No processes running" and ERROR "Restart
 * failed" every ~60 s for an hour — routes group them, this module does not drop any.)
 */
import { redactSecrets } from '../logging/redactSecrets';
import { severityOfLevel, type CacheUpdate, type FileChange, type FileDraft, type FileLook } from './fileChange';
import { FieldReader, isJsonObject, jsonTypeOf } from './lenientJson';
import { keyEntries, splitNewEntries, type SeenKeys } from './seenEntries';

export const WATCHDOG_CACHE_KEY = 'watchdog';

/** The `watchdog` cache: the state with its latest alerts only, and how many it holds. */
export type WatchdogCache = WatchdogState & { alert_count: number };

export interface WatchdogAlert {
  /** Naive local time, as written ("2026-02-05T16:52:05.225541"). */
  timestamp: string | null;
  /** CRITICAL, ERROR, WARNING or INFO. */
  severity: string;
  /** paper_trading, training_workers, ai_advisor, BACKUP, … */
  process: string | null;
  message: string;
}

export interface WatchdogState {
  restart_counts: Record<string, number>;
  last_restart_times: Record<string, string>;
  alerts: WatchdogAlert[];
  last_paper_trader_restart: string | null;
  last_retrain_time: string | null;
  retrain_count: number | null;
}

export type WatchdogParse = { ok: true; state: WatchdogState } | { ok: false; error: string };

export function parseWatchdogState(data: unknown): WatchdogParse {
  if (!isJsonObject(data)) return { ok: false, error: `watchdog_state.json holds a JSON object, got ${jsonTypeOf(data)}` };
  if (data.alerts !== undefined && data.alerts !== null && !Array.isArray(data.alerts)) return { ok: false, error: `watchdog_state.json: alerts is not a list (got ${jsonTypeOf(data.alerts)})` };
  const read = new FieldReader(data);
  const alerts = (Array.isArray(data.alerts) ? data.alerts : []).filter(isJsonObject).map((alert): WatchdogAlert => {
    const a = new FieldReader(alert);
    return { timestamp: a.string('timestamp'), severity: (a.string('severity') ?? 'INFO').toUpperCase(), process: a.string('process'), message: redactSecrets(a.string('message') ?? '') };
  });
  return {
    ok: true,
    state: {
      restart_counts: numbersOf(data.restart_counts),
      last_restart_times: stringsOf(data.last_restart_times),
      alerts,
      last_paper_trader_restart: read.string('last_paper_trader_restart'),
      last_retrain_time: read.string('last_retrain_time'),
      retrain_count: read.integer('retrain_count'),
    },
  };
}

function numbersOf(value: unknown): Record<string, number> {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

function stringsOf(value: unknown): Record<string, string> {
  if (!isJsonObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export interface WatchdogMemory {
  seen: SeenKeys;
}

/** Alerts kept in the cache for commands. */
const CACHED_ALERTS = 20;

export function deriveWatchdogState(previous: WatchdogMemory | null, data: unknown, look: FileLook): FileChange<WatchdogMemory> {
  const parsed = parseWatchdogState(data);
  if (!parsed.ok) return parsed;
  const state = parsed.state;
  const keyed = keyEntries(state.alerts, (a) => JSON.stringify([a.timestamp, a.severity, a.process, a.message]));
  const baseline = previous === null && !look.announceFirstLook;
  const { fresh, seen } = splitNewEntries(keyed, baseline ? keyed.map((k) => k.key) : (previous?.seen ?? []));
  const drafts = fresh.map(
    ({ entry, key }): FileDraft => ({
      subject: entry.process ?? 'watchdog',
      // From content only: an alert read again from a restored `.bak` copy is the same event.
      idParts: ['watchdog_alert', key],
      draft: {
        type: 'watchdog.alert',
        severity: severityOfLevel(entry.severity),
        // The timestamp is the watchdog host's naive local time: a field, not the event time.
        fields: { level: entry.severity, process: entry.process, message: entry.message, timestamp: entry.timestamp, file: look.path },
        text: `[${entry.severity}]${entry.process ? ` [${entry.process}]` : ''} ${entry.message}`,
      },
    }),
  );
  const cache: CacheUpdate = {
    key: WATCHDOG_CACHE_KEY,
    at: null,
    update: (): WatchdogCache => ({ ...state, alerts: state.alerts.slice(-CACHED_ALERTS), alert_count: state.alerts.length }),
  };
  return { ok: true, drafts, memory: { seen }, cache };
}
