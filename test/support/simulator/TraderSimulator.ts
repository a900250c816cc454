/**
 * Writes a live Cappuccino workspace in the real formats: paper traders (text log, session CSV,
 * heartbeat, positions_state.json, profit_protection.log) and optionally Optuna training workers.
 * Deterministic: the same seed and the same calls give the same bytes; time is simulated.
 *
 * Tests drive it with step()/pollTrader() and the file-level controls (rotation, partial lines,
 * torn JSON); demos use run(). Every complete line written is remembered per file
 * (writtenLines) and what was meant to happen is in `truth`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { RewrittenFile } from './RewrittenFile';
import { CSV_TERMINATOR } from './sessionFiles';
import { SimulatedTrader, type EventRates, type PollScript, type SavedState, type TraderSpec, type TraderStatus, type TraderWorld } from './SimulatedTrader';
import { isoUtc, microsFrom, MICROS_PER_SECOND, SimClock } from './time';
import { TrackedFile, type Redirect, type RotateOptions, type RotationMode } from './TrackedFile';
import { TrainingWorker, type StudyProgress, type TrialScript, type WorkerSpec, type WorkerWorld } from './TrainingWorker';
import { GroundTruth } from './truth';

export interface SimulatorOptions {
  /** Folder to write into (created, with logs/, paper_trades/, databases/, deployments/). */
  workspace: string;
  seed?: number;
  /** Simulated wall-clock time when the traders launch (default 2026-02-09T06:10:00Z). */
  start?: string | Date;
  /** Default: one trader, "trial250". */
  traders?: readonly TraderSpec[];
  /** Training workers writing logs/worker_safe_<i>.log (a count, or specs). */
  workers?: number | readonly WorkerSpec[];
  /** Chances of unscripted events (see DEFAULT_RATES; NO_RANDOM_EVENTS turns them all off). */
  rates?: Partial<EventRates>;
  /** Remember written lines and documents (default true; off for endless demos). */
  track?: boolean;
  /** Traders sharing a CSV that does not exist yet start at the same moment: each writes a header. */
  csvHeaderRace?: boolean;
  /** Offset of the host's naive local time (Optuna, Python logging) from UTC; default −360 (CST). */
  utcOffsetMinutes?: number;
}

export const DEFAULT_RATES: EventRates = { processingError: 0.02, fetchError: 0.02, crash: 0.01, discordFailure: 0.1, news: 0.02 };
export const NO_RANDOM_EVENTS: EventRates = { processingError: 0, fetchError: 0, crash: 0, discordFailure: 0, news: 0 };

export interface StepResult {
  actor: string;
  kind: 'poll' | 'exit' | 'trial';
  /** Simulated time the step started (ISO, UTC). */
  at: string;
  /** Bars processed (CSV rows written) by this step. */
  bars: number;
}

export interface RunOptions {
  /** Pace in real time (0 = as fast as possible). Default 2. */
  barsPerSecond?: number;
  /** Stop after this many bars (default: until nothing is left to do or aborted). */
  bars?: number;
  signal?: AbortSignal;
  onStep?: (result: StepResult) => void;
}

export interface TraderInfo {
  name: string;
  pid: number;
  status: TraderStatus;
  logPath: string;
  csvPath: string;
  heartbeatPath: string;
  tickers: readonly string[];
  timeframe: string;
}

type FileKind = 'log' | 'csv' | 'append';

export class TraderSimulator {
  readonly workspace: string;
  readonly truth = new GroundTruth();
  readonly seed: number;
  private readonly clock: SimClock;
  private readonly track: boolean;
  private readonly rates: EventRates;
  private readonly utcOffsetMinutes: number;
  private readonly files = new Map<string, { file: TrackedFile; kind: FileKind }>();
  private readonly documents = new Map<string, RewrittenFile>();
  private readonly traderList: SimulatedTrader[] = [];
  private readonly workerList: TrainingWorker[] = [];
  private readonly studies = new Map<string, StudyProgress>();
  private readonly traderWorld: TraderWorld;
  private readonly workerWorld: WorkerWorld;
  private readonly pendingTraders: TraderSpec[];
  private readonly pendingWorkers: WorkerSpec[];
  private readonly csvHeaderRace: boolean;
  private started = false;

  constructor(options: SimulatorOptions) {
    this.workspace = path.resolve(options.workspace);
    this.seed = options.seed ?? 1;
    this.clock = new SimClock(microsFrom(options.start ?? '2026-02-09T06:10:00Z'));
    this.track = options.track ?? true;
    this.rates = { ...DEFAULT_RATES, ...options.rates };
    this.utcOffsetMinutes = options.utcOffsetMinutes ?? -360;
    this.csvHeaderRace = options.csvHeaderRace ?? false;
    this.pendingTraders = [...(options.traders ?? [{ name: 'trial250' }])];
    const workers = options.workers ?? 0;
    this.pendingWorkers = typeof workers === 'number' ? Array.from({ length: workers }, (_, index) => ({ index: index + 1 })) : [...workers];
    for (const folder of ['logs', 'paper_trades', 'databases', 'deployments']) mkdirSync(path.join(this.workspace, folder), { recursive: true });
    this.traderWorld = this.makeTraderWorld();
    this.workerWorld = this.makeWorkerWorld();
  }

  // ---- driving ----

  /** Launches the configured traders (banners, CSV headers) and workers. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const traders = this.pendingTraders.splice(0);
    for (const spec of traders) this.launchTrader(spec);
    // Only traders of the start batch can race for a CSV's header.
    this.traderWorld.csvHeaderRace.clear();
    for (const spec of this.pendingWorkers.splice(0)) {
      const worker = new TrainingWorker(spec, this.workerWorld);
      this.workerList.push(worker);
      worker.start();
    }
  }

  /** Runs the next due activity: one trader poll (or its exit after SIGINT), or one trial. */
  step(): StepResult | undefined {
    this.start();
    let nextTrader: SimulatedTrader | undefined;
    for (const trader of this.traderList) {
      const due = trader.dueAt;
      if (due !== undefined && (nextTrader === undefined || due < (nextTrader.dueAt as number))) nextTrader = trader;
    }
    let nextWorker: TrainingWorker | undefined;
    for (const worker of this.workerList) {
      const due = worker.dueAt;
      if (due !== undefined && (nextWorker === undefined || due < (nextWorker.dueAt as number))) nextWorker = worker;
    }
    if (nextWorker !== undefined && (nextTrader === undefined || (nextWorker.dueAt as number) < (nextTrader.dueAt as number))) {
      const at = isoUtc(Math.max(this.clock.now(), nextWorker.dueAt as number));
      nextWorker.runTrial();
      return { actor: nextWorker.name, kind: 'trial', at, bars: 0 };
    }
    if (nextTrader === undefined) return undefined;
    const result = nextTrader.poll();
    return { actor: result.trader, kind: result.exited ? 'exit' : 'poll', at: result.at, bars: result.bars };
  }

  /** Runs every activity due by `time`, in order, then moves the clock to `time`: driven by a
   * real clock, the files carry real times. Before start() only the clock moves. */
  stepUntil(time: string | Date): StepResult[] {
    const until = microsFrom(time);
    const results: StepResult[] = [];
    for (let due = this.nextDue(); due !== undefined && due <= until; due = this.nextDue()) {
      const result = this.step();
      if (result === undefined) break;
      results.push(result);
    }
    this.clock.advanceTo(until);
    return results;
  }

  /** Runs `count` steps (fewer if nothing is left to do); returns the results. */
  steps(count: number): StepResult[] {
    const results: StepResult[] = [];
    for (let index = 0; index < count; index += 1) {
      const result = this.step();
      if (result === undefined) break;
      results.push(result);
    }
    return results;
  }

  /** Steps until `bars` bars have been processed in all (or nothing is left to do). */
  stepBars(bars: number): StepResult[] {
    const results: StepResult[] = [];
    let processed = 0;
    while (processed < bars) {
      const result = this.step();
      if (result === undefined) break;
      results.push(result);
      processed += result.bars;
    }
    return results;
  }

  /** Runs this trader's next poll now (the clock moves to its scheduled time if that is later). */
  pollTrader(name: string, script?: PollScript): StepResult {
    this.start();
    const trader = this.traderNamed(name);
    if (trader.dueAt === undefined) throw new Error(`trader ${name} is ${trader.state}; it does not poll`);
    if (script !== undefined) trader.script(script);
    const result = trader.poll();
    return { actor: result.trader, kind: result.exited ? 'exit' : 'poll', at: result.at, bars: result.bars };
  }

  /** Queues events for the trader's next poll (bar-level ones wait for its next processed bar). */
  script(name: string, script: PollScript): void {
    this.traderNamed(name).script(script);
  }

  /** Runs one trial of worker `index` now, with the given outcome. */
  runTrial(index: number, outcome?: TrialScript): StepResult {
    this.start();
    const worker = this.workerList.find((candidate) => candidate.name === `worker${index}`);
    if (worker === undefined || !worker.isRunning) throw new Error(`no running worker ${index}`);
    if (outcome !== undefined) worker.script(outcome);
    const at = isoUtc(Math.max(this.clock.now(), worker.dueAt as number));
    worker.runTrial();
    return { actor: worker.name, kind: 'trial', at, bars: 0 };
  }

  /** Steps in real time, `barsPerSecond` bars per second, until `bars`, abort, or no work. */
  async run(options: RunOptions = {}): Promise<{ bars: number; steps: number }> {
    const { barsPerSecond = 2, bars = Number.POSITIVE_INFINITY, signal, onStep } = options;
    let processed = 0;
    let steps = 0;
    while (processed < bars && signal?.aborted !== true) {
      const result = this.step();
      if (result === undefined) break;
      steps += 1;
      processed += result.bars;
      onStep?.(result);
      if (result.bars > 0 && barsPerSecond > 0) await pause((1000 * result.bars) / barsPerSecond, signal);
    }
    return { bars: processed, steps };
  }

  /** Moves simulated time forward without activity (e.g. while a trader hangs). */
  advanceClock(seconds: number): string {
    return isoUtc(this.clock.advanceBy(Math.round(seconds * MICROS_PER_SECOND)));
  }

  now(): string {
    return isoUtc(this.clock.now());
  }

  // ---- process control ----

  /** Launches another trader now (its banner is written at once). */
  addTrader(spec: TraderSpec): TraderInfo {
    this.start();
    this.traderWorld.csvHeaderRace.clear();
    this.launchTrader(spec);
    return this.trader(spec.name);
  }

  /** SIGINT: "Received interrupt, stopping..." now; the process exits after its sleep. */
  stopTrader(name: string): void {
    this.traderNamed(name).interrupt();
  }

  /** SIGINT to every running trader. */
  stopAll(): void {
    for (const trader of this.traderList) trader.interrupt();
  }

  /** An uncaught exception: its traceback on stderr, then gone; its heartbeat still says "running". */
  crashTrader(name: string): void {
    this.traderNamed(name).crash();
  }

  /** SIGTERM: gone without a word; its heartbeat still says "running". */
  killTrader(name: string): void {
    this.traderNamed(name).kill();
  }

  /** SIGSTOP: no more polls or heartbeats until resumeTrader(). */
  hangTrader(name: string): void {
    this.traderNamed(name).hang();
  }

  resumeTrader(name: string): void {
    this.traderNamed(name).resume();
  }

  /** Kills the process and starts a new one (new pid, banner, state restored from
   * positions_state.json if fresh). `>` truncates the text log first, like the launchers do. */
  restartTrader(name: string, options: { redirect?: Redirect; delaySeconds?: number } = {}): TraderInfo {
    const trader = this.traderNamed(name);
    trader.kill();
    this.clock.advanceBy(Math.round((options.delaySeconds ?? 3) * MICROS_PER_SECOND));
    this.traderWorld.csvHeaderRace.clear();
    trader.launch(options.redirect);
    return this.trader(name);
  }

  /** The `>` launcher restart: truncate the text log and write a fresh banner into it. */
  restartTruncate(name: string): TraderInfo {
    return this.restartTrader(name, { redirect: '>' });
  }

  killWorker(index: number): void {
    this.workerList.find((worker) => worker.name === `worker${index}`)?.kill();
  }

  // ---- file-level control ----

  /** Rotates a text file (log or CSV): `rename` (x → x.1, writer continues in a new x),
   * `copytruncate` (copy to x.1, truncate x in place: same inode), `delete` (unlink, recreate). */
  rotate(relativePath: string, mode: RotationMode, options?: RotateOptions): string | undefined {
    const rotated = this.fileAt(relativePath).rotate(mode, options);
    // The trader's restore logic reads the CSV's last bar; a new CSV has none.
    this.traderWorld.csvLastBar.delete(normalize(relativePath));
    return rotated === undefined ? undefined : path.relative(this.workspace, rotated).split(path.sep).join('/');
  }

  /** Writes the first part of `line` (default half its bytes) without a terminator. */
  appendPartialLine(relativePath: string, line: string, splitAtByte?: number): void {
    this.fileFor(relativePath).writePartialLine(line, splitAtByte);
  }

  /** Writes the rest of a line begun with appendPartialLine (or a split trader write). */
  finishPartialLine(relativePath: string): boolean {
    return this.fileAt(relativePath).completePartialLine();
  }

  /** Writes bytes exactly as given (no terminator added). */
  writeBytes(relativePath: string, data: string | Buffer): void {
    this.fileFor(relativePath).appendRaw(data);
  }

  /** Appends one line of about `bytes` bytes (an "Error processing bars" with a huge repr). */
  appendLongLine(relativePath: string, bytes: number): string {
    const head = 'Error processing bars: Actions contain NaN or Inf: [';
    const body = 'nan '.repeat(Math.max(0, Math.ceil((bytes - head.length - 1) / 4)));
    const line = `${head}${body}`.slice(0, Math.max(head.length, bytes - 1)) + ']';
    this.fileFor(relativePath).appendLine(line);
    return line;
  }

  /** Leaves a JSON document empty (keepBytes 0) or half-written, as a reader may catch it. */
  tearDocument(relativePath: string, keepBytes = 0): void {
    const document = this.documentAt(relativePath);
    const text = document.last();
    if (text === undefined) throw new Error(`${relativePath} was never written`);
    document.tear(text, keepBytes);
  }

  finishDocument(relativePath: string): boolean {
    return this.documentAt(relativePath).finishTear();
  }

  tearHeartbeat(name: string, keepBytes = 0): void {
    this.tearDocument(this.traderNamed(name).heartbeatPath, keepBytes);
  }

  finishHeartbeat(name: string): boolean {
    return this.finishDocument(this.traderNamed(name).heartbeatPath);
  }

  // ---- what was written ----

  /** Every complete line written to this file, in order, across rotations, without terminators
   * (CSV `\r\n` included). A line still being written is not in it (see pendingText). */
  writtenLines(relativePath: string): string[] {
    return this.files.get(normalize(relativePath))?.file.writtenLines() ?? [];
  }

  /** The bytes written after the file's last line terminator. */
  pendingText(relativePath: string): string {
    return this.files.get(normalize(relativePath))?.file.pendingText() ?? '';
  }

  /** Every complete version of a rewritten JSON document, in order. */
  documentsWritten(relativePath: string): string[] {
    return this.documents.get(normalize(relativePath))?.history() ?? [];
  }

  lastDocument(relativePath: string): string | undefined {
    return this.documents.get(normalize(relativePath))?.last();
  }

  /** Rotated siblings of a file that exist now, oldest first, relative to the workspace. */
  rotatedFiles(relativePath: string): string[] {
    return this.fileAt(relativePath)
      .rotatedPaths()
      .map((absolute) => path.relative(this.workspace, absolute).split(path.sep).join('/'));
  }

  /** Absolute path of a workspace-relative path. */
  pathOf(relativePath: string): string {
    return path.join(this.workspace, normalize(relativePath));
  }

  trader(name: string): TraderInfo {
    const trader = this.traderNamed(name);
    return {
      name: trader.name,
      pid: trader.pid,
      status: trader.state,
      logPath: trader.logPath,
      csvPath: trader.csvPath,
      heartbeatPath: trader.heartbeatPath,
      tickers: trader.tickers,
      timeframe: trader.timeframe,
    };
  }

  traders(): TraderInfo[] {
    return this.traderList.map((trader) => this.trader(trader.name));
  }

  /** Flushes block-buffered stdout of a trader (what a normal exit would do). */
  flushTrader(name: string): void {
    this.traderNamed(name).flushOutput();
  }

  /** Closes the held log descriptors. */
  close(): void {
    for (const { file } of this.files.values()) file.close();
  }

  // ---- internals ----

  /** When the next activity of step() is due (simulated micros), if any. */
  private nextDue(): number | undefined {
    const dues = [...this.traderList, ...this.workerList].map((actor) => actor.dueAt).filter((due): due is number => due !== undefined);
    return dues.length === 0 ? undefined : Math.min(...dues);
  }

  private launchTrader(spec: TraderSpec): void {
    if (this.traderList.some((trader) => trader.name === spec.name)) throw new Error(`trader ${spec.name} exists already`);
    const trader = new SimulatedTrader(spec, this.traderWorld);
    this.traderList.push(trader);
    if (!this.csvHeaderRace) this.traderWorld.csvHeaderRace.clear();
    trader.launch();
  }

  private traderNamed(name: string): SimulatedTrader {
    const trader = this.traderList.find((candidate) => candidate.name === name);
    if (trader === undefined) throw new Error(`no trader ${name}`);
    return trader;
  }

  private trackedFile(relativePath: string, kind: FileKind): TrackedFile {
    const key = normalize(relativePath);
    const existing = this.files.get(key);
    if (existing !== undefined) {
      if (existing.kind !== kind) throw new Error(`${key} is written as ${existing.kind}, not ${kind}`);
      return existing.file;
    }
    const file = new TrackedFile(path.join(this.workspace, key), key, {
      style: kind === 'log' ? 'held' : 'per-write',
      terminator: kind === 'csv' ? CSV_TERMINATOR : '\n',
      track: this.track,
    });
    this.files.set(key, { file, kind });
    return file;
  }

  private fileAt(relativePath: string): TrackedFile {
    const entry = this.files.get(normalize(relativePath));
    if (entry === undefined) throw new Error(`${relativePath} has not been written by the simulator`);
    return entry.file;
  }

  /** A known file, or a new plain log (held descriptor, `\n`) for tests writing their own. */
  private fileFor(relativePath: string): TrackedFile {
    return this.files.get(normalize(relativePath))?.file ?? this.trackedFile(relativePath, relativePath.endsWith('.csv') ? 'csv' : 'log');
  }

  private documentAt(relativePath: string): RewrittenFile {
    const key = normalize(relativePath);
    let document = this.documents.get(key);
    if (document === undefined) {
      document = new RewrittenFile(path.join(this.workspace, key), key, this.track);
      this.documents.set(key, document);
    }
    return document;
  }

  private makeTraderWorld(): TraderWorld {
    let savedState: SavedState | undefined;
    return {
      clock: this.clock,
      truth: this.truth,
      rates: this.rates,
      seed: this.seed,
      logFile: (relativePath) => this.trackedFile(relativePath, 'log'),
      csvFile: (relativePath) => this.trackedFile(relativePath, 'csv'),
      protectionLog: () => this.trackedFile('paper_trades/profit_protection.log', 'append'),
      document: (relativePath) => this.documentAt(relativePath),
      positionsState: () => this.documentAt('paper_trades/positions_state.json'),
      get savedState() {
        return savedState;
      },
      set savedState(state: SavedState | undefined) {
        savedState = state;
      },
      csvLastBar: new Map(),
      csvHeaderRace: new Set(),
    };
  }

  private makeWorkerWorld(): WorkerWorld {
    return {
      clock: this.clock,
      truth: this.truth,
      seed: this.seed,
      utcOffsetMinutes: this.utcOffsetMinutes,
      logFile: (relativePath) => this.trackedFile(relativePath, 'log'),
      study: (name) => {
        let study = this.studies.get(name);
        if (study === undefined) {
          study = { name, nextNumber: 0, best: undefined, created: false };
          this.studies.set(name, study);
        }
        return study;
      },
      pidFile: () => this.trackedFile('logs/worker_pids.txt', 'append'),
    };
  }
}

function normalize(relativePath: string): string {
  return path.posix.normalize(relativePath.replace(/\\/g, '/')).replace(/^\.\//, '');
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
