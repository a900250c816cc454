/**
 * What state's `cache` table holds for reading, in one place: each entry's key (or key prefix
 * and id), its value type — imported from the stream that produces it — and a validating
 * reader. Every writer (the source components) and every reader (queries, the alarms' worker
 * count, the digest) goes through here, so a key or a type mismatch fails to compile, and no
 * code elsewhere spells a cache key.
 *
 * A stored value of the wrong shape (an older barista's, a hand edit) reads as absent, with
 * one logged warning per key and reason — never a crash.
 */
import type { Logger } from '../logging/logger';
import type { StateStore } from '../state/StateStore';
import type { PortfolioSnapshot } from '../streams/csvSession';
import { DEPLOYMENTS_CACHE_KEY, type DeploymentsCache } from '../streams/deployments';
import { ENSEMBLE_CACHE_KEY, type EnsembleCache } from '../streams/ensembleManifest';
import type { CacheUpdate } from '../streams/fileChange';
import type { Heartbeat } from '../streams/heartbeat';
import type { HostCache } from '../streams/hostCache';
import { isJsonObject } from '../streams/lenientJson';
import { MONITOR_CACHE_KEY, type LiveMonitorState } from '../streams/liveMonitorState';
import type { StudiesIndexCache, StudyCache } from '../streams/optunaTrials';
import type { CachedPositions } from '../streams/positions';
import type { CachedProcess } from '../streams/processLifecycle';
import type { SourceHealth } from '../streams/sourceHealth';
import { TRADER_DIRECTORY_CACHE_KEY, type TraderDirectory } from '../streams/traderIdentity';
import { WATCHDOG_CACHE_KEY, type WatchdogCache } from '../streams/watchdogState';

/** Every cache entry's value type, by entry name. */
export interface CacheValues {
  /** `portfolio:<trader>`: the trader's last CSV bar (CSV source). */
  portfolio: PortfolioSnapshot;
  /** `heartbeat:<trader>`: the trader's last heartbeat (json source, role heartbeat). */
  heartbeat: Heartbeat;
  /** `positions`: positions_state.json, the last writer's (json source, role positions), with that trader when known. */
  positions: CachedPositions;
  /** `traders`: which files belong to which trader, learnt from the trader processes (process source). */
  traders: TraderDirectory;
  /** `processes`: the monitored processes at the last probe tick (process source). */
  processes: CachedProcess[];
  /** `host`: CPU, memory, disk, GPU at the last probe tick (process source). */
  host: HostCache;
  /** `optuna:<study>`: counts, best, recent, rate (optuna source). */
  optuna: StudyCache;
  /** `optuna-studies:<source>`: the studies an optuna source caches. */
  optunaStudies: StudiesIndexCache;
  /** Files source caches. */
  deployments: DeploymentsCache;
  ensemble: EnsembleCache;
  watchdog: WatchdogCache;
  monitor: LiveMonitorState;
  /** `source-health:<source>`: last commit, newest data, last error (every source). */
  sourceHealth: SourceHealth;
}

export type CacheName = keyof CacheValues;

/** A value read back: ok with the (possibly upgraded) value, or why it is not one. */
export type CacheParse<V> = { ok: true; value: V } | { ok: false; error: string };

/** One key of the cache with its value type. `V` only types the reads and writes. */
export interface CacheRef<V> {
  readonly key: string;
  readonly parse: (value: unknown) => CacheParse<V>;
}

/** A key-per-id entry (`portfolio:<trader>`): `of(id)` names one key. */
export interface KeyedEntry<V> {
  readonly prefix: string;
  readonly parse: (value: unknown) => CacheParse<V>;
  of(id: string): CacheRef<V>;
}

export type CatalogueEntry<V> = CacheRef<V> | KeyedEntry<V>;

function fixed<V>(key: string, parse: (value: unknown) => CacheParse<V>): CacheRef<V> {
  return { key, parse };
}

function keyed<V>(prefix: string, parse: (value: unknown) => CacheParse<V>): KeyedEntry<V> {
  return { prefix, parse, of: (id) => ({ key: prefix + id, parse }) };
}

// ---------------------------------------------------------------- shape checks

type Check = (value: unknown) => string | null;
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isNullableNumber = (v: unknown) => v === null || isNumber(v);
const isRecordOf = (v: unknown, item: (x: unknown) => boolean) => isJsonObject(v) && Object.values(v).every(item);

/** A parser from field checks: each names a field and the test it must pass. */
function shape<V>(what: string, fields: Record<string, (v: unknown) => boolean>, upgrade: (value: Record<string, unknown>) => V = (v) => v as V): (value: unknown) => CacheParse<V> {
  return (value) => {
    if (!isJsonObject(value)) return { ok: false, error: `${what}: expected an object` };
    for (const [field, test] of Object.entries(fields)) if (!test(value[field])) return { ok: false, error: `${what}: field ${field} is missing or of the wrong type` };
    return { ok: true, value: upgrade(value) };
  };
}

const checkProcess: Check = (p) =>
  isJsonObject(p) && isNumber(p.pid) && typeof p.class === 'string' && typeof p.subject === 'string' && typeof p.paused === 'boolean' && typeof p.started_at === 'string' ? null : 'a process lacks pid, class, subject, paused or started_at';

function parseProcesses(value: unknown): CacheParse<CachedProcess[]> {
  if (!Array.isArray(value)) return { ok: false, error: 'processes: expected a list' };
  const problem = value.map(checkProcess).find((p) => p !== null);
  if (problem) return { ok: false, error: `processes: ${problem}` };
  // Cached before traders had one name: no identity known until the next probe tick.
  return { ok: true, value: (value as CachedProcess[]).map((p) => (p.trader === undefined ? { ...p, trader: null } : p)) };
}

// ---------------------------------------------------------------- the catalogue

export const CATALOGUE = {
  portfolio: keyed<PortfolioSnapshot>(
    'portfolio:',
    shape('portfolio snapshot', { at: (v) => typeof v === 'string', total: isNumber, cash: isNumber, holdings: (v) => isRecordOf(v, isNumber), prices: (v) => isRecordOf(v, isNumber) }),
  ),
  heartbeat: keyed<Heartbeat>('heartbeat:', shape('heartbeat', { next_poll_scheduled: (v) => typeof v === 'string', tickers: Array.isArray })),
  positions: fixed<CachedPositions>(
    'positions',
    shape('positions', { positions: (v) => Array.isArray(v) && v.every((p) => isJsonObject(p) && typeof p.symbol === 'string') }, (v) => ({
      ...(v as unknown as CachedPositions),
      // Cached before traders had one name: nobody known.
      trader: typeof v.trader === 'string' ? v.trader : null,
    })),
  ),
  traders: fixed<TraderDirectory>(TRADER_DIRECTORY_CACHE_KEY, shape('trader directory', { files: isJsonObject, traders: isJsonObject, live: Array.isArray })),
  processes: fixed<CachedProcess[]>('processes', parseProcesses),
  host: fixed<HostCache>(
    'host',
    shape('host', { cpu_percent: isNullableNumber, cpu_count: isNumber, memory: (v) => v === null || isJsonObject(v), disk: (v) => v === null || isJsonObject(v), gpus: (v) => v === null || Array.isArray(v) }, (v) => ({
      ...(v as unknown as HostCache),
      alarms: Array.isArray(v.alarms) ? (v.alarms as string[]) : [],
    })),
  ),
  optuna: keyed<StudyCache>(
    'optuna:',
    shape('study', { study: (v) => typeof v === 'string', directions: Array.isArray, counts: (v) => isRecordOf(v, isNumber), top: Array.isArray, recent: Array.isArray }, (v) => ({
      ...(v as unknown as StudyCache),
      // Written by a barista before the running trials were cached: none known until the next poll.
      running_trials: Array.isArray(v.running_trials) ? (v.running_trials as StudyCache['running_trials']) : [],
    })),
  ),
  optunaStudies: keyed<StudiesIndexCache>('optuna-studies:', shape('study index', { source: (v) => typeof v === 'string', studies: (v) => Array.isArray(v) && v.every((s) => typeof s === 'string') })),
  deployments: fixed<DeploymentsCache>(DEPLOYMENTS_CACHE_KEY, shape('deployments', { models: isJsonObject, log: Array.isArray })),
  ensemble: fixed<EnsembleCache>(ENSEMBLE_CACHE_KEY, shape('ensemble', { members: Array.isArray })),
  watchdog: fixed<WatchdogCache>(WATCHDOG_CACHE_KEY, shape('watchdog', { alerts: Array.isArray })),
  monitor: fixed<LiveMonitorState>(MONITOR_CACHE_KEY, shape('live monitor', { level: (v) => typeof v === 'string', alert_history: Array.isArray })),
  sourceHealth: keyed<SourceHealth>(
    'source-health:',
    shape('source health', { source: (v) => typeof v === 'string', type: (v) => typeof v === 'string', committed_at: isNullableNumber, newest_data_at: isNullableNumber }),
  ),
} satisfies { [K in CacheName]: CatalogueEntry<CacheValues[K]> };

// ---------------------------------------------------------------- reading and writing

export interface Cached<V> {
  value: V;
  /** Time of the data itself (ISO 8601), when the writer knew it. */
  at: string | null;
  /** When barista wrote it (epoch ms). */
  updatedAt: number;
}

export interface CacheReadOptions {
  /** Where the one warning per bad value goes (none: not logged). */
  logger?: Logger;
}

/** Keys already warned about, with the reason: one warning per key and reason per process. */
const warned = new Set<string>();

function accept<V>(ref: { parse: (value: unknown) => CacheParse<V> }, row: { key: string; value: unknown; at: string | null; updatedAt: number }, options: CacheReadOptions): Cached<V> | undefined {
  const parsed = ref.parse(row.value);
  if (parsed.ok) return { value: parsed.value, at: row.at, updatedAt: row.updatedAt };
  const mark = `${row.key}\u0000${parsed.error}`;
  if (!warned.has(mark)) {
    warned.add(mark);
    options.logger?.warn({ key: row.key, error: parsed.error }, 'a cached value has an unexpected shape (an older barista?); treated as absent until its source writes it again');
  }
  return undefined;
}

export function readCache<V>(state: StateStore, ref: CacheRef<V>, options: CacheReadOptions = {}): Cached<V> | undefined {
  const row = state.getCacheRow(ref.key);
  return row ? accept(ref, row, options) : undefined;
}

/** Every valid value of a keyed entry, by id. */
export function listCache<V>(state: StateStore, entry: KeyedEntry<V>, options: CacheReadOptions = {}): Array<Cached<V> & { id: string }> {
  const out: Array<Cached<V> & { id: string }> = [];
  for (const row of state.listCacheRows(entry.prefix)) {
    const read = accept(entry, row, options);
    if (read) out.push({ ...read, id: row.key.slice(entry.prefix.length) });
  }
  return out;
}

export function writeCache<V>(state: StateStore, ref: CacheRef<V>, value: V, at: string | null = null): void {
  state.setCache(ref.key, value, at);
}

/** The files source's caches by the key their stream names (several files feed one entry). */
const FILES_CACHES: Record<string, CacheRef<unknown>> = {
  [DEPLOYMENTS_CACHE_KEY]: CATALOGUE.deployments,
  [ENSEMBLE_CACHE_KEY]: CATALOGUE.ensemble,
  [WATCHDOG_CACHE_KEY]: CATALOGUE.watchdog,
  [MONITOR_CACHE_KEY]: CATALOGUE.monitor,
};

/** A files source's read-modify-write of its cache entry; the previous value is read through the catalogue. */
export function applyFilesCacheUpdate(state: StateStore, update: CacheUpdate, options: CacheReadOptions = {}): void {
  const ref = FILES_CACHES[update.key];
  if (!ref) throw new Error(`the files source wrote cache key "${update.key}", which the catalogue does not know`);
  writeCache(state, ref, update.update(readCache(state, ref, options)?.value), update.at);
}
