/**
 * Process lifecycle: successive probe samples → the monitored processes' events. A matched
 * process is tracked by (boot id, pid, start ticks), an identity a pid reuse cannot fake, and
 * every event id derives from it, so replaying a sample after a restart repeats nothing.
 *
 * Event types by class (rules.yaml `match` names): `trader` → trader.started / exited /
 * paused / resumed / below_expected / expected_ok; `training` → training.worker_started /
 * worker_exited / worker_paused / worker_resumed / workers_below_expected /
 * workers_expected_ok; any other class → process.* with `class` in the fields.
 *
 * Processes alive at the first sample (no view yet), or of a class whose pattern is new to the
 * view, are state, not `started` events. A zombie has exited: it is reported then forgotten.
 */
import { compareText } from '../model/compareText';
import { redactSecrets } from '../logging/redactSecrets';
import type { ProcessReading } from '../watchers/ProcessProbe';
import type { EventDraft, Severity } from '../model/BaristaEvent';
import { builtInFact } from '../model/fact';
import { classify, knownArgs, parseScriptArgs, trialOfModelDir, TRADER_DEFAULT_LOG_FILE, TRADER_DEFAULT_TIMEFRAME, type KnownArgs, type ScriptArgs, type ScriptInvocation } from './processes';
import { heartbeatFileOfCsv, traderNameOfProcess, type TraderFiles } from './traderIdentity';

export type ProcessClasses = readonly (readonly [name: string, pattern: string])[];

/** A process of a configured class, as one sample saw it. */
export interface MatchedProcess {
  reading: ProcessReading;
  class: string;
  invocation: ScriptInvocation;
}

/** What barista keeps about a monitored process (also the `processes` cache entry). */
export interface TrackedProcess {
  pid: number;
  ppid: number;
  class: string;
  /** The trader's name (traderIdentity.ts), the worker's study, or the class. */
  subject: string;
  /** A trader's name and the files that tie it to its log, CSV and heartbeat (null for other classes). */
  trader: TraderIdentity | null;
  started_at: string;
  /** One letter as in /proc (R, S, D, T = stopped by SIGSTOP, …). */
  state: string;
  paused: boolean;
  cpu_percent: number | null;
  rss_bytes: number;
  script: string;
  /** The command line, secrets redacted. */
  command: string;
  args: ScriptArgs;
  model_dir: string | null;
  log_file: string | null;
  timeframe: string | null;
  study_name: string | null;
  trial: number | null;
  /** The log read for the tail at exit, when one is known. */
  log_path: string | null;
  last_seen: string;
  /** Identity parts for event ids. */
  start_ticks: number;
  /** How many times it was paused: numbers the paused/resumed events. */
  pauses: number;
}

/** A trader process's one name and its files (workspace-relative where inside it). */
export interface TraderIdentity extends TraderFiles {
  name: string;
}

export interface ProcessView {
  bootId: string;
  /** The classes the view was built with (name → pattern). */
  classes: Record<string, string>;
  /** By `${bootId}:${pid}:${startTicks}`. */
  processes: Record<string, TrackedProcess>;
  /** Classes below their expected count: raised once per episode, until the count is back. */
  below: Record<string, { active: boolean; episodes: number }>;
}

export interface ProcessDraft {
  draft: EventDraft;
  subject: string;
  idParts: (string | number)[];
}

export interface LifecycleOptions {
  classes: ProcessClasses;
  expected?: Record<string, number>;
  /**
   * A newly tracked trader's files: its CSV and the file its stdout goes to, workspace-relative
   * (called once per trader; may read /proc). Default: its `--log-file` as written, no log.
   */
  traderFilesOf?: (process: MatchedProcess, known: KnownArgs) => TraderFiles;
  /** The log of a newly tracked process (called once per process; may read /proc). */
  logPathOf?: (process: MatchedProcess, known: KnownArgs, subject: string) => string | null;
  /** The last lines of a log, read when its process exits. */
  readLogTail?: (logPath: string) => string[] | null;
}

interface EventNames {
  started: string;
  exited: string;
  paused: string;
  resumed: string;
  below: string;
  ok: string;
  /** How a message names one process of the class. */
  noun: string;
}

export function eventNames(cls: string): EventNames {
  if (cls === 'trader') return { started: 'trader.started', exited: 'trader.exited', paused: 'trader.paused', resumed: 'trader.resumed', below: 'trader.below_expected', ok: 'trader.expected_ok', noun: 'trader' };
  if (cls === 'training')
    return {
      started: 'training.worker_started',
      exited: 'training.worker_exited',
      paused: 'training.worker_paused',
      resumed: 'training.worker_resumed',
      below: 'training.workers_below_expected',
      ok: 'training.workers_expected_ok',
      noun: 'training worker',
    };
  return { started: 'process.started', exited: 'process.exited', paused: 'process.paused', resumed: 'process.resumed', below: 'process.below_expected', ok: 'process.expected_ok', noun: `${cls} process` };
}

/** The processes of the configured classes in one sample (zombies included: they just exited). */
export function matchProcesses(processes: readonly ProcessReading[], classes: ProcessClasses): MatchedProcess[] {
  const matched: MatchedProcess[] = [];
  for (const reading of processes) {
    const found = classify(reading.argv, classes);
    if (found) matched.push({ reading, class: found.class, invocation: found.invocation });
  }
  return matched;
}

const isPaused = (state: string) => state === 'T' || state === 't';
const isZombie = (state: string) => state === 'Z' || state === 'X';

/**
 * One sample applied to the view: the new view, and the events it implies. Pure apart from
 * the injected log reads.
 */
export function applyProcessSample(
  previous: ProcessView | null,
  sample: { at: number; bootId: string; processes: readonly ProcessReading[] },
  options: LifecycleOptions,
): { view: ProcessView; drafts: ProcessDraft[] } {
  const at = new Date(sample.at).toISOString();
  const classes = Object.fromEntries(options.classes.map(([name, pattern]) => [name, pattern]));
  const drafts: ProcessDraft[] = [];
  // A class is watched "as before" when the previous view knew it with the same pattern.
  const continued = (cls: string) => previous !== null && previous.classes[cls] === classes[cls];
  const known: Record<string, TrackedProcess> = {};
  for (const [key, tracked] of Object.entries(previous?.processes ?? {})) if (continued(tracked.class)) known[key] = tracked;

  const processes: Record<string, TrackedProcess> = {};
  for (const matched of matchProcesses(sample.processes, options.classes)) {
    const { reading } = matched;
    const key = `${sample.bootId}:${reading.pid}:${reading.startTicks}`;
    const before = known[key];
    if (isZombie(reading.state)) continue; // tracked ones are reported as exited below
    if (!before) {
      const tracked = newTracked(matched, at, options);
      processes[key] = tracked;
      if (continued(matched.class)) {
        drafts.push(startedDraft(tracked, sample.bootId));
        // Started and stopped within one interval.
        if (tracked.paused) drafts.push(pausedDraft(tracked, sample.bootId, at));
      }
      continue;
    }
    const tracked: TrackedProcess = { ...before, ppid: reading.ppid, state: reading.state, cpu_percent: reading.cpuPercent, rss_bytes: reading.rssBytes, last_seen: at };
    // Tracked by a barista that named traders by their CSV stem: named again, once.
    if (before.class === 'trader' && before.trader === undefined) Object.assign(tracked, identify(matched, before, options));
    if (!before.paused && isPaused(reading.state)) {
      tracked.paused = true;
      tracked.pauses = before.pauses + 1;
      drafts.push(pausedDraft(tracked, sample.bootId, at));
    } else if (before.paused && !isPaused(reading.state)) {
      tracked.paused = false;
      drafts.push(resumedDraft(tracked, sample.bootId, at));
    }
    processes[key] = tracked;
  }
  for (const [key, tracked] of Object.entries(known)) {
    if (processes[key]) continue;
    const zombie = sample.processes.some((p) => `${sample.bootId}:${p.pid}:${p.startTicks}` === key && isZombie(p.state));
    drafts.push(exitedDraft(tracked, previous?.bootId ?? sample.bootId, sample.at, zombie, options));
  }

  const below: ProcessView['below'] = {};
  for (const [cls, expected] of Object.entries(options.expected ?? {})) {
    if (!(cls in classes)) continue;
    const wasBelow = previous?.below[cls] ?? { active: false, episodes: 0 };
    const running = Object.values(processes).filter((p) => p.class === cls);
    const state = { ...wasBelow };
    if (running.length < expected && !wasBelow.active) {
      state.active = true;
      state.episodes += 1;
      drafts.push(belowDraft(cls, expected, running, state.episodes, at));
    } else if (running.length >= expected && wasBelow.active) {
      state.active = false;
      drafts.push(expectedOkDraft(cls, expected, running, state.episodes, at));
    }
    below[cls] = state;
  }
  return { view: { bootId: sample.bootId, classes, processes, below }, drafts };
}

function newTracked(matched: MatchedProcess, at: string, options: LifecycleOptions): TrackedProcess {
  const { reading, invocation } = matched;
  const args = redactArgs(parseScriptArgs(invocation.args));
  const known = knownArgs(args);
  const isTrader = matched.class === 'trader';
  // The trader's argparse defaults are what it really uses when the flag is absent.
  const effective: KnownArgs = isTrader ? { ...known, log_file: known.log_file ?? TRADER_DEFAULT_LOG_FILE, timeframe: known.timeframe ?? TRADER_DEFAULT_TIMEFRAME } : known;
  const { subject, trader } = isTrader ? identify(matched, effective, options) : { subject: matched.class === 'training' ? (effective.study_name ?? 'training') : matched.class, trader: null };
  return {
    pid: reading.pid,
    ppid: reading.ppid,
    class: matched.class,
    subject,
    trader,
    started_at: new Date(reading.startedAtMs).toISOString(),
    state: reading.state,
    paused: isPaused(reading.state),
    cpu_percent: reading.cpuPercent,
    rss_bytes: reading.rssBytes,
    script: invocation.script,
    command: redactSecrets(reading.argv.join(' ')),
    args,
    ...effective,
    trial: isTrader ? trialOfModelDir(effective.model_dir) : null,
    log_path: options.logPathOf?.(matched, effective, subject) ?? null,
    last_seen: at,
    start_ticks: reading.startTicks,
    pauses: isPaused(reading.state) ? 1 : 0,
  };
}

/** A trader's name from its files. */
function identify(matched: MatchedProcess, known: KnownArgs, options: LifecycleOptions): { subject: string; trader: TraderIdentity } {
  const csv = known.log_file ?? TRADER_DEFAULT_LOG_FILE;
  const files = options.traderFilesOf?.(matched, known) ?? { csv, log: null, heartbeat: heartbeatFileOfCsv(csv), model_dir: known.model_dir };
  const name = traderNameOfProcess(files);
  return { subject: name, trader: { name, ...files } };
}

function redactArgs(args: ScriptArgs): ScriptArgs {
  const out: ScriptArgs = {};
  for (const [name, value] of Object.entries(args)) out[name] = value === true ? true : Array.isArray(value) ? value.map(redactSecrets) : redactSecrets(value);
  return out;
}

/** Where a new process's log is: the configured file for its subject, else the file its
 * stdout goes to, else its `--log-file` (the trader's CSV), resolved against its cwd. */
export function resolveLogPath(input: { configured: string | null; stdout: string | null; logFile: string | null; cwd: string | null; workspace: string }): string | null {
  const absolute = (file: string, base: string) => (file.startsWith('/') ? file : `${base.replace(/\/+$/, '')}/${file.replace(/^\.\//, '')}`);
  if (input.configured) return absolute(input.configured, input.workspace);
  if (input.stdout) return input.stdout;
  if (input.logFile) return absolute(input.logFile, input.cwd ?? input.workspace);
  return null;
}

/** What every event about one process says. */
function processFields(p: TrackedProcess): Record<string, unknown> {
  return {
    pid: p.pid,
    ppid: p.ppid,
    class: p.class,
    script: p.script,
    command: p.command,
    args: p.args,
    started_at: p.started_at,
    model_dir: p.model_dir,
    log_file: p.log_file,
    timeframe: p.timeframe,
    study_name: p.study_name,
    // The trader's files, named: its events say which log, CSV and heartbeat are its own.
    ...(p.class === 'trader' ? { trial: p.trial, trader: p.subject, csv_file: p.trader?.csv ?? null, log: p.trader?.log ?? null, heartbeat: p.trader?.heartbeat ?? null } : {}),
  };
}

const idOf = (p: TrackedProcess, bootId: string) => [bootId, p.pid, p.start_ticks];

function describe(p: TrackedProcess): string {
  const names = eventNames(p.class);
  const detail = [p.model_dir && `model ${p.model_dir}`, p.class === 'trader' && p.timeframe, p.study_name && p.class !== 'training' && `study ${p.study_name}`].filter(Boolean).join(', ');
  return `${names.noun} ${p.subject} (pid ${p.pid}${detail ? `, ${detail}` : ''})`;
}

function startedDraft(p: TrackedProcess, bootId: string): ProcessDraft {
  const names = eventNames(p.class);
  return {
    subject: p.subject,
    idParts: [names.started, ...idOf(p, bootId)],
    draft: {
      type: names.started,
      severity: 'info',
      at: p.started_at,
      fields: { ...processFields(p), state: p.state },
      text: `${capitalize(describe(p))} started.`,
      // The trader's log banner reports the same start (rules: trader-start:{subject}:{process.pid}).
      ...(p.class === 'trader' ? { fact: builtInFact('trader-start', p.subject, p.pid) } : {}),
    },
  };
}

function pausedDraft(p: TrackedProcess, bootId: string, at: string): ProcessDraft {
  const names = eventNames(p.class);
  return {
    subject: p.subject,
    idParts: [names.paused, ...idOf(p, bootId), p.pauses],
    draft: { type: names.paused, severity: 'warning', at, fields: { ...processFields(p), state: p.state }, text: `${capitalize(describe(p))} is paused (stopped by a signal such as SIGSTOP).` },
  };
}

function resumedDraft(p: TrackedProcess, bootId: string, at: string): ProcessDraft {
  const names = eventNames(p.class);
  return {
    subject: p.subject,
    idParts: [names.resumed, ...idOf(p, bootId), p.pauses],
    draft: { type: names.resumed, severity: 'info', at, fields: { ...processFields(p), state: p.state }, text: `${capitalize(describe(p))} resumed.` },
  };
}

function exitedDraft(p: TrackedProcess, bootId: string, atMs: number, zombie: boolean, options: LifecycleOptions): ProcessDraft {
  const names = eventNames(p.class);
  const runtime_s = Math.max(0, Math.round((atMs - Date.parse(p.started_at)) / 1000));
  const tail = p.log_path ? (options.readLogTail?.(p.log_path) ?? null) : null;
  const log_tail = tail ? tail.map(redactSecrets) : null;
  const severity: Severity = p.class === 'trader' || p.class === 'training' ? 'warning' : 'notice';
  return {
    subject: p.subject,
    idParts: [names.exited, ...idOf(p, bootId)],
    draft: {
      type: names.exited,
      severity,
      at: new Date(atMs).toISOString(),
      fields: { ...processFields(p), runtime_s, last_seen: p.last_seen, last_state: p.state, zombie, log_path: p.log_path, log_tail },
      text: `${capitalize(describe(p))} exited after ${formatDuration(runtime_s)}${zombie ? ' (zombie, not yet reaped)' : ''}.${log_tail?.length ? `\nLast lines of ${p.log_path}:\n${log_tail.join('\n')}` : ''}`,
    },
  };
}

function countFields(cls: string, expected: number, running: TrackedProcess[]): Record<string, unknown> {
  return { class: cls, expected, running: running.length, paused: running.filter((p) => p.paused).length, pids: running.map((p) => p.pid).sort((a, b) => a - b) };
}

function belowDraft(cls: string, expected: number, running: TrackedProcess[], episode: number, at: string): ProcessDraft {
  const names = eventNames(cls);
  return {
    subject: cls,
    idParts: [names.below, cls, episode],
    draft: {
      type: names.below,
      severity: cls === 'trader' ? 'error' : 'warning',
      at,
      fields: countFields(cls, expected, running),
      text: `${running.length} of ${expected} expected ${plural(names.noun, expected)} running${running.length ? ` (pid ${running.map((p) => p.pid).join(', ')})` : ''}.`,
    },
  };
}

function expectedOkDraft(cls: string, expected: number, running: TrackedProcess[], episode: number, at: string): ProcessDraft {
  const names = eventNames(cls);
  return {
    subject: cls,
    idParts: [names.ok, cls, episode],
    draft: { type: names.ok, severity: 'info', at, fields: countFields(cls, expected, running), text: `${running.length} of ${expected} expected ${plural(names.noun, expected)} running again.` },
  };
}

const plural = (noun: string, n: number) => (n === 1 ? noun : noun.endsWith('s') ? `${noun}es` : `${noun}s`);
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** 45 s, 12 min, 3 h 12 min, 2 d 4 h. */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A process as the `processes` cache holds it. */
export type CachedProcess = Omit<TrackedProcess, 'start_ticks' | 'pauses'>;

/** The `processes` cache: what commands show (`!status`). */
export function processesCache(view: ProcessView): CachedProcess[] {
  return Object.values(view.processes)
    .sort((a, b) => compareText(a.class, b.class) || a.pid - b.pid)
    .map(({ start_ticks: _ticks, pauses: _pauses, ...rest }) => rest);
}
