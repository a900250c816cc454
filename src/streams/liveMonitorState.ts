/**
 * `monitoring/live_monitor_state.json` (surface.md §4), rewritten in place by
 * `monitoring/live_performance_monitor.py` after each hourly check. Its level (ok, warning,
 * critical, emergency) is not a field: each alert it sends is appended to `alert_history`, so
 * the level is the one of the last alert. Each new alert that changes it is
 * `monitor.level_changed` {from, to}. Times are aware UTC.
 */
import { redactSecrets } from '../logging/redactSecrets';
import { severityOfLevel, type CacheUpdate, type FileChange, type FileDraft, type FileLook } from './fileChange';
import { FieldReader, isJsonObject, jsonTypeOf } from './lenientJson';
import { keyEntries, splitNewEntries, type SeenKeys } from './seenEntries';
import { toUtcIso } from './utcTimestamp';

export const MONITOR_CACHE_KEY = 'monitor';

/** The level before any alert. */
export const LEVEL_OK = 'ok';

export interface MonitorAlert {
  /** ISO 8601 UTC, or null when missing or unreadable. */
  timestamp: string | null;
  /** warning, critical or emergency (lower case). */
  level: string;
  live_sharpe: number | null;
  message: string;
}

export interface LiveMonitorState {
  level: string;
  last_check_time: string | null;
  last_bar_count: number | null;
  last_sharpe: number | null;
  warning_sent: boolean | null;
  critical_sent: boolean | null;
  emergency_start_time: string | null;
  alert_history: MonitorAlert[];
}

export type LiveMonitorParse = { ok: true; state: LiveMonitorState } | { ok: false; error: string };

export function parseLiveMonitorState(data: unknown): LiveMonitorParse {
  if (!isJsonObject(data)) return { ok: false, error: `live_monitor_state.json holds a JSON object, got ${jsonTypeOf(data)}` };
  const history = data.alert_history;
  if (history !== undefined && history !== null && !Array.isArray(history)) return { ok: false, error: `live_monitor_state.json: alert_history is not a list (got ${jsonTypeOf(history)})` };
  const read = new FieldReader(data);
  const alerts = (Array.isArray(history) ? history : []).filter(isJsonObject).map((alert): MonitorAlert => {
    const a = new FieldReader(alert);
    const timestamp = a.string('timestamp');
    return {
      timestamp: timestamp === null ? null : toUtcIso(timestamp),
      level: (a.string('level') ?? LEVEL_OK).trim().toLowerCase(),
      live_sharpe: a.number('live_sharpe'),
      message: redactSecrets(a.string('message') ?? ''),
    };
  });
  return {
    ok: true,
    state: {
      level: alerts.length ? alerts[alerts.length - 1].level : LEVEL_OK,
      last_check_time: read.timestamp('last_check_time'),
      last_bar_count: read.integer('last_bar_count'),
      last_sharpe: read.number('last_sharpe'),
      warning_sent: read.boolean('warning_sent'),
      critical_sent: read.boolean('critical_sent'),
      emergency_start_time: read.timestamp('emergency_start_time'),
      alert_history: alerts,
    },
  };
}

export interface LiveMonitorMemory {
  seen: SeenKeys;
  level: string;
}

const CACHED_ALERTS = 10;

export function deriveLiveMonitorState(previous: LiveMonitorMemory | null, data: unknown, look: FileLook): FileChange<LiveMonitorMemory> {
  const parsed = parseLiveMonitorState(data);
  if (!parsed.ok) return parsed;
  const state = parsed.state;
  const keyed = keyEntries(state.alert_history, (a) => JSON.stringify([a.timestamp, a.level, a.live_sharpe, a.message]));
  const baseline = previous === null && !look.announceFirstLook;
  const { fresh, seen } = splitNewEntries(keyed, baseline ? keyed.map((k) => k.key) : (previous?.seen ?? []));
  const drafts: FileDraft[] = [];
  let level = previous?.level ?? LEVEL_OK;
  for (const { entry, key } of fresh) {
    if (entry.level === level) continue; // the same level alerted again is not a change
    drafts.push({
      subject: 'live_monitor',
      idParts: ['monitor_level', key],
      draft: {
        type: 'monitor.level_changed',
        severity: severityOfLevel(entry.level),
        ...(entry.timestamp !== null ? { at: entry.timestamp } : {}),
        fields: { from: level, to: entry.level, live_sharpe: entry.live_sharpe, message: entry.message, bars: state.last_bar_count, file: look.path },
        text: `Live monitor ${level} → ${entry.level}: ${entry.message.trim()}`,
      },
    });
    level = entry.level;
  }
  const cache: CacheUpdate = {
    key: MONITOR_CACHE_KEY,
    at: state.last_check_time,
    update: () => ({ ...state, alert_history: state.alert_history.slice(-CACHED_ALERTS) }),
  };
  // The file's own level from now on (a history emptied by hand starts again at ok).
  return { ok: true, drafts, memory: { seen, level: state.level }, cache };
}
