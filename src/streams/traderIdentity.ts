/**
 * One name per trader. A trader writes three files — a text log (its redirected stdout), a CSV
 * (`--log-file`) and a heartbeat named from the CSV — and each used to give its events another
 * subject (`paper_trader_trial250`, `trial250_session`, `trial250`). Every event, cache entry and
 * command now uses one name, e.g. `trial250`; the files stay visible as details.
 *
 * The name comes from the files themselves when their names agree (every launcher of
 * surface.md §6 but the ones below), and from the trader's process where they cannot: its
 * `--log-file` (the CSV) and the file its stdout goes to (the log) tie them, and what the process
 * probe learns is kept as a directory (file → trader) that every source resolves through.
 *
 * Rules (pure; table-tested against every launcher in surface.md §6):
 * - CSV: its stem without `_session` (`trial250_session.csv` → `trial250`,
 *   `watchdog_session_<ts>.csv` → `watchdog_<ts>`, the default `alpaca_session.csv` → `alpaca`).
 * - heartbeat: the trader names it `stem.replace('_session', '_heartbeat.json')`, so its name
 *   without `_heartbeat.json` is the CSV's name (`watchdog_heartbeat.json_<ts>` → `watchdog_<ts>`).
 * - log: `paper_trader_<x>.log` / `paper_trading_<x>.log` → `<x>` (`paper_trading_watchdog_<ts>`
 *   → `watchdog_<ts>`); `trial<N>_<ts>` → `trial<N>` (auto_replace_best_5m.py pairs that log with
 *   `trial<N>_session.csv`). A log that names no trader (`paper_trader.log`,
 *   `paper_trading_live.log`, `paper_trader_live.log`) is written by a launcher that uses the
 *   default CSV: `alpaca`. The failsafe wrapper's own log belongs to the trader of
 *   `paper_trading_live.log`. Other logs (workers, watchdog) are not a trader's: null.
 * - process: the name of its CSV, except for the default CSV, which several traders may share
 *   (restart_all_traders.sh starts three on it): then the name its log gives, else `alpaca`.
 *   A shared CSV (and its heartbeat) keeps its own name, `alpaca`: it belongs to none of them.
 */

import { compareText } from '../model/compareText';
import { TRADER_DEFAULT_LOG_FILE } from './processes';

/** What the trader writes when started without `--log-file` (surface.md §1.1.1). */
export const DEFAULT_TRADER_CSV = TRADER_DEFAULT_LOG_FILE;

/** Cache key of the directory. */
export const TRADER_DIRECTORY_CACHE_KEY = 'traders';

export type TraderFileKind = 'csv' | 'log' | 'heartbeat';

const basename = (file: string) => file.slice(file.replace(/\\/g, '/').lastIndexOf('/') + 1);
const dirname = (file: string) => file.slice(0, file.lastIndexOf('/') + 1);

/** `Path(x).stem` as Python computes it (a leading dot is not a suffix). */
function pythonStem(file: string): string {
  const name = basename(file);
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(0, dot) : name;
}

/** `paper_trades/trial250_session.csv` → `trial250` (Python's replace: every `_session`). */
export function traderNameOfCsv(file: string): string {
  const stem = pythonStem(file);
  return stem.split('_session').join('') || stem;
}

/** `paper_trades/trial250_heartbeat.json` → `trial250`; `watchdog_heartbeat.json_<ts>` → `watchdog_<ts>`. */
export function traderNameOfHeartbeat(file: string): string {
  const name = basename(file);
  return name.split('_heartbeat.json').join('') || name;
}

/** The file name the trader gives the heartbeat of a CSV (L143–144), in `paper_trades/`. */
export function heartbeatFileOfCsv(csv: string): string {
  return `paper_trades/${pythonStem(csv).split('_session').join('_heartbeat.json')}`;
}

const TRADER_LOG = /^paper_trad(?:er|ing)(?:_(.*))?$/;
/** Log names that say nothing of the trader: their launchers use the default CSV. */
const ANONYMOUS_LOGS = new Set(['', 'live', 'failsafe']);
/** A log written by a wrapper about the trader of another log (paper_trading_failsafe.sh). */
const COMPANION_LOGS: Record<string, string> = { 'paper_trading_failsafe.log': 'paper_trading_live.log' };

/** What a trader log's name says of its trader: a name, `null` when it names none (anonymous). Undefined: not a trader log. */
function ownNameOfLog(file: string): string | null | undefined {
  const stem = basename(file).replace(/\.(?:log|txt)(?:_\d{8}_\d{6})?$/i, '');
  const match = TRADER_LOG.exec(stem);
  if (!match) return undefined;
  const rest = match[1] ?? '';
  if (ANONYMOUS_LOGS.has(rest)) return null;
  return rest.replace(/^(trial_?\d+)_\d{8}_\d{6}$/, '$1');
}

/** `logs/paper_trader_trial250.log` → `trial250`; an anonymous trader log → `alpaca`; not a trader log → null. */
export function traderNameOfLog(file: string): string | null {
  const own = ownNameOfLog(file);
  if (own === undefined) return null;
  return own ?? traderNameOfCsv(DEFAULT_TRADER_CSV);
}

/** The name a file gives its trader by itself (null: a log that is no trader's). */
export function traderNameOfFile(kind: TraderFileKind, file: string): string | null {
  if (kind === 'csv') return traderNameOfCsv(file);
  if (kind === 'heartbeat') return traderNameOfHeartbeat(file);
  return traderNameOfLog(file);
}

const isDefaultCsv = (csv: string) => basename(csv) === basename(DEFAULT_TRADER_CSV);

/** A trader process's files, workspace-relative where they are inside it. */
export interface TraderFiles {
  csv: string;
  /** Where its stdout goes (null: a terminal, a pipe, nothing we can read). */
  log: string | null;
  heartbeat: string;
  model_dir: string | null;
}

/** The name of a trader process (see the rules above). */
export function traderNameOfProcess(files: Pick<TraderFiles, 'csv' | 'log'>): string {
  if (!isDefaultCsv(files.csv)) return traderNameOfCsv(files.csv);
  return (files.log === null ? undefined : ownNameOfLog(files.log)) ?? traderNameOfCsv(files.csv);
}

// ------------------------------------------------------------------ the directory

/** A trader as its process was last seen. */
export interface TraderEntry extends TraderFiles {
  pid: number;
  last_seen: string;
}

/** What the process probe learnt: kept in the cache (`traders`), so it survives restarts. */
export interface TraderDirectory {
  /** File (workspace-relative path) → the trader that writes it. A file several live traders share is left out. */
  files: Record<string, string>;
  /** By name: each trader's files when its process was last seen. */
  traders: Record<string, TraderEntry>;
  /** Traders whose process was alive at the last look. */
  live: string[];
}

export const EMPTY_TRADER_DIRECTORY: TraderDirectory = Object.freeze({ files: {}, traders: {}, live: [] }) as TraderDirectory;

/** Enough for every attempt of a watchdog that starts a new trader now and then. */
const MAX_TRADERS = 200;

/**
 * The directory after a look at the live trader processes. A file claimed by exactly one live
 * trader is its alias; one claimed by several (the shared default CSV) is no one's; files no
 * live trader claims keep what was learnt (an exited trader's heartbeat still goes stale under
 * its name).
 */
export function learnTraders(previous: TraderDirectory | null, live: readonly { name: string; pid: number; files: TraderFiles }[], at: string): TraderDirectory {
  const before = previous ?? EMPTY_TRADER_DIRECTORY;
  const claims = new Map<string, Set<string>>();
  const claim = (file: string | null, name: string) => {
    if (file === null) return;
    if (!claims.has(file)) claims.set(file, new Set());
    claims.get(file)!.add(name);
  };
  const traders: Record<string, TraderEntry> = { ...before.traders };
  for (const trader of live) {
    for (const file of [trader.files.csv, trader.files.heartbeat, trader.files.log]) claim(file, trader.name);
    traders[trader.name] = { ...trader.files, pid: trader.pid, last_seen: at };
  }
  const kept = new Set(
    Object.entries(traders)
      .sort(([, a], [, b]) => compareText(b.last_seen, a.last_seen))
      .slice(0, MAX_TRADERS)
      .map(([name]) => name),
  );
  const files: Record<string, string> = {};
  for (const [file, name] of Object.entries(before.files)) if (!claims.has(file) && kept.has(name)) files[file] = name;
  for (const [file, names] of claims) if (names.size === 1) files[file] = [...names][0];
  return {
    files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => compareText(a, b))),
    traders: Object.fromEntries(Object.entries(traders).filter(([name]) => kept.has(name)).sort(([a], [b]) => compareText(a, b))),
    live: [...new Set(live.map((t) => t.name))].sort(),
  };
}

/**
 * The trader a file belongs to: what the process probe learnt, else what its name says.
 * Null only for a log that is no trader's (a worker's, the watchdog's).
 */
export function traderOfFile(directory: TraderDirectory | null | undefined, kind: TraderFileKind, file: string): string | null {
  const files = directory?.files ?? {};
  if (Object.hasOwn(files, file)) return files[file];
  if (kind === 'log') {
    const companion = COMPANION_LOGS[basename(file)];
    if (companion !== undefined) return traderOfFile(directory, kind, `${dirname(file)}${companion}`);
  }
  return traderNameOfFile(kind, file);
}

/** Every name a trader goes by, canonical first (for lists and for matching what users type). */
export function traderAliases(directory: TraderDirectory, name: string): string[] {
  const stems = Object.entries(directory.files)
    .filter(([, trader]) => trader === name)
    .flatMap(([file]) => [basename(file), pythonStem(file)]);
  return [...new Set([name, ...stems])];
}

/**
 * What a user typed (`trial250`, `trial250_session`, `paper_trader_trial250`, a file name or
 * path) → the canonical name among `known` (every trader barista has a record of), or null.
 * Exact before case-insensitive; a learnt file before a name's own reading.
 */
export function resolveTraderName(typed: string, directory: TraderDirectory, known: Iterable<string>): string | null {
  const names = new Set([...known, ...Object.keys(directory.traders)]);
  const wanted = typed.trim();
  if (wanted === '') return null;
  const attempt = (equal: (a: string, b: string) => boolean): string | null => {
    for (const name of names) if (equal(name, wanted)) return name;
    const learnt = new Set(
      Object.entries(directory.files)
        .filter(([file]) => equal(file, wanted) || equal(basename(file), wanted) || equal(pythonStem(file), wanted))
        .map(([, name]) => name),
    );
    if (learnt.size === 1) return [...learnt][0];
    for (const reading of [traderNameOfCsv(wanted), traderNameOfHeartbeat(wanted), traderNameOfLog(wanted)]) {
      if (reading === null) continue;
      for (const name of names) if (equal(name, reading)) return name;
    }
    return null;
  };
  return attempt((a, b) => a === b) ?? attempt((a, b) => a.toLowerCase() === b.toLowerCase());
}
