/**
 * One Optuna worker (`python -u scripts/training/1_optimize_unified.py …`) writing its log:
 * each step runs one trial (20–35 simulated minutes) and writes what the real worker prints for
 * it, including tqdm's `\r` redraws. Trials are numbered across workers of the same study.
 */
import { formatFixed, PyInt, type PyValue } from './python';
import { deriveSeed, SeededRandom } from './random';
import { isoUtc, MICROS_PER_MINUTE, MICROS_PER_SECOND, type SimClock } from './time';
import type { TrackedFile } from './TrackedFile';
import { REPO_ROOT } from './tracebacks';
import type { GroundTruth } from './truth';
import {
  ANSI,
  ProgressBarWriter,
  bestDescription,
  optunaRecord,
  progressMeter,
  studyCreatedMessage,
  studyReusedMessage,
  trialFailedMessage,
  trialFailedValueMessage,
  trialFinishedMessage,
  trialPrunedMessage,
} from './workerLog';

export interface WorkerSpec {
  /** Worker number (1-based in the real launchers' log names). */
  index: number;
  /** Default `logs/worker_safe_<index>.log`. */
  logFile?: string;
  study?: string;
  nTrials?: number;
  timeframe?: '1h' | '5m';
  splits?: number;
}

/** What happens to the worker's next trial. */
export type TrialScript = 'complete' | 'pruned' | 'failed' | 'crash';

/** Shared by the workers of one study: trial numbers and the best so far. */
export interface StudyProgress {
  name: string;
  nextNumber: number;
  best: { number: number; value: number } | undefined;
  created: boolean;
}

export interface WorkerWorld {
  readonly clock: SimClock;
  readonly truth: GroundTruth;
  readonly seed: number;
  readonly utcOffsetMinutes: number;
  logFile(relativePath: string): TrackedFile;
  study(name: string): StudyProgress;
  /** logs/worker_pids.txt (`PID epoch` lines). */
  pidFile(): TrackedFile;
}

const DEFAULT_STUDY = 'cappuccino_auto_20260216_0340';
const WORKER_SCRIPT = `${REPO_ROOT}/scripts/training/1_optimize_unified.py`;
const OPTUNA = '/home/mrc/.pyenv/versions/cappuccino-rocm/lib/python3.11/site-packages/optuna';

export class TrainingWorker {
  readonly name: string;
  readonly logPath: string;
  readonly study: StudyProgress;
  private readonly random: SeededRandom;
  private readonly nTrials: number;
  private readonly bar = new ProgressBarWriter();
  private startedAt = 0;
  private done = 0;
  private nextAt = 0;
  private trialStartedAt = 0;
  private running = false;
  private pidValue = 0;
  private readonly scripted: TrialScript[] = [];

  constructor(
    private readonly spec: WorkerSpec,
    private readonly world: WorkerWorld,
  ) {
    this.name = `worker${spec.index}`;
    this.logPath = spec.logFile ?? `logs/worker_safe_${spec.index}.log`;
    this.study = world.study(spec.study ?? DEFAULT_STUDY);
    this.nTrials = spec.nTrials ?? 500;
    this.random = new SeededRandom(deriveSeed(world.seed, `worker:${spec.index}`));
  }

  get pid(): number {
    return this.pidValue;
  }

  get dueAt(): number | undefined {
    return this.running ? this.nextAt : undefined;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Decides the outcome of this worker's next trial. */
  script(outcome: TrialScript): void {
    this.scripted.push(outcome);
  }

  start(): void {
    const now = this.world.clock.now();
    this.pidValue = this.random.int(10_000, 99_999);
    this.world.pidFile().appendLine(`${this.pidValue} ${Math.floor(now / MICROS_PER_SECOND)}`);
    const log = this.log();
    log.open('>>');
    const message = this.study.created ? studyReusedMessage(this.study.name) : studyCreatedMessage(this.study.name);
    this.study.created = true;
    log.appendRaw(`${optunaRecord('I', now, this.world.utcOffsetMinutes, message)}\n${this.bar.draw(this.meter(now))}`);
    this.startedAt = now;
    this.done = 0;
    this.running = true;
    this.scheduleTrial(now + this.random.int(2, 10) * MICROS_PER_SECOND);
    this.world.truth.lifecycle.push({ actor: this.name, pid: this.pidValue, kind: 'started', at: isoUtc(now), detail: this.study.name });
  }

  /** Writes one whole trial at its end time (the step happens then, so traders keep their
   * schedule while a trial runs). */
  runTrial(): void {
    const end = this.world.clock.advanceTo(this.nextAt);
    const number = this.study.nextNumber;
    this.study.nextNumber += 1;
    const outcome = this.scripted.shift() ?? this.randomOutcome();
    const minutes = outcome === 'pruned' ? 30 + this.random.between(0.1, 0.9) : (end - this.trialStartedAt) / MICROS_PER_MINUTE;
    const params = this.params();
    const splits = this.spec.splits ?? 10;
    const timeframe = this.spec.timeframe ?? '1h';
    let text = `${ANSI.cyan}[DEBUG] Objective function called for trial #${number}${ANSI.end}\n${ANSI.header}Trial #${number}: ${timeframe} timeframe${ANSI.end}\n`;
    const bots: number[] = [];
    for (let split = 1; split <= (outcome === 'pruned' ? Math.ceil(splits / 2) : splits); split += 1) {
      const bot = this.random.gaussian() * 0.01 + 0.01;
      bots.push(bot);
      text += `  Split ${split}/${splits}...\n    Bot: ${formatFixed(bot, 4)}, HODL: ${formatFixed(this.random.gaussian() * 0.01, 4)}\n`;
    }
    const record = (level: 'I' | 'W', message: string): string => optunaRecord(level, end, this.world.utcOffsetMinutes, message);
    const truth = this.world.truth;
    if (outcome === 'complete') {
      const mean = bots.reduce((sum, value) => sum + value, 0) / bots.length;
      const std = Math.sqrt(bots.reduce((sum, value) => sum + (value - mean) ** 2, 0) / bots.length);
      const value = mean - this.random.gaussian() * 0.002 - 0.1 * std + 0.004;
      const newBest = this.study.best === undefined || value > this.study.best.value;
      if (newBest) this.study.best = { number, value };
      const best = this.study.best as { number: number; value: number };
      text += `${ANSI.green}Trial #${number} Results:${ANSI.end}\n  Bot Sharpe: ${formatFixed(mean, 6)} ± ${formatFixed(std, 6)}\n  Objective: ${formatFixed(value, 6)}\n`;
      text += this.bar.write(record('I', trialFinishedMessage(number, value, params, best.number, best.value)), this.meter(end));
      truth.trials.push({ worker: this.spec.index, study: this.study.name, number, state: 'COMPLETE', value, finishedAt: isoUtc(end), newBest });
    } else if (outcome === 'pruned') {
      const reason = `Trial timeout: ${formatFixed(minutes, 1)} minutes exceeded 30.0 minute limit`;
      text += `${ANSI.warning}⚠️  Trial #${number} timed out after ${formatFixed(minutes, 1)} minutes${ANSI.end}\n`;
      text += this.bar.write(record('I', trialPrunedMessage(number, reason)), this.meter(end));
      truth.trials.push({ worker: this.spec.index, study: this.study.name, number, state: 'PRUNED', finishedAt: isoUtc(end), newBest: false });
    } else {
      const error = outcome === 'crash' ? "RuntimeError('HIP out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.98 GiB total capacity; 13.11 GiB already allocated)')" : 'The value None could not be cast to float';
      const failed = record('W', trialFailedMessage(number, params, error));
      text += this.bar.write(outcome === 'crash' ? [failed, ...this.objectiveTraceback()].join('\n') : failed, this.meter(end));
      text += this.bar.write(record('W', trialFailedValueMessage(number)), this.meter(end));
      truth.trials.push({ worker: this.spec.index, study: this.study.name, number, state: 'FAIL', finishedAt: isoUtc(end), newBest: false });
    }
    if (outcome !== 'crash') {
      // Optuna's progress update after each trial: n + 1, then the (new) best as description.
      this.done += 1;
      text += this.bar.draw(this.meter(end));
    } else {
      // Not a TrialPruned and no catch=: the exception escapes study.optimize and ends the worker.
      const traceback = this.uncaughtTraceback();
      text += `\n${traceback.join('\n')}\n`;
      this.running = false;
      truth.errors.push({ actor: this.name, at: isoUtc(end), kind: 'worker-crash', message: traceback[traceback.length - 1] ?? '', lines: traceback });
      truth.lifecycle.push({ actor: this.name, pid: this.pidValue, kind: 'exited', at: isoUtc(end), detail: 'uncaught exception' });
    }
    this.log().appendRaw(text);
    this.scheduleTrial(end + this.random.int(1, 5) * MICROS_PER_SECOND);
  }

  private scheduleTrial(start: number): void {
    this.trialStartedAt = start;
    this.nextAt = start + Math.round(this.random.between(20, 35) * MICROS_PER_MINUTE);
  }

  /** SIGTERM/SIGKILL (pkill, OOM killer): nothing more is written. */
  kill(): void {
    if (!this.running) return;
    this.running = false;
    this.world.truth.lifecycle.push({ actor: this.name, pid: this.pidValue, kind: 'killed', at: isoUtc(this.world.clock.now()) });
  }

  private log(): TrackedFile {
    return this.world.logFile(this.logPath);
  }

  private meter(now: number): string {
    const best = this.study.best;
    return progressMeter(this.done, this.nTrials, (now - this.startedAt) / MICROS_PER_SECOND, best === undefined ? '' : bestDescription(best.number, best.value));
  }

  private randomOutcome(): TrialScript {
    const roll = this.random.next();
    if (roll < 0.12) return 'pruned';
    if (roll < 0.15) return 'failed';
    return 'complete';
  }

  private params(): Record<string, PyValue> {
    return {
      learning_rate: Number(this.random.between(1e-5, 5e-4).toPrecision(12)),
      batch_size: new PyInt(this.random.pick([512, 1024, 2048])),
      gamma: Number(this.random.between(0.95, 0.999).toPrecision(12)),
      net_dimension: new PyInt(this.random.pick([256, 512, 1024])),
      lookback: new PyInt(this.random.int(3, 8)),
      norm_cash_exp: new PyInt(-this.random.int(9, 13)),
    };
  }

  private objectiveTraceback(): string[] {
    return [
      'Traceback (most recent call last):',
      `  File "${OPTUNA}/study/_optimize.py", line 201, in _run_trial`,
      '    value_or_values = func(trial)',
      '                      ^^^^^^^^^^^',
      `  File "${WORKER_SCRIPT}", line 731, in objective`,
      '    result = train_and_evaluate(trial, split)',
      '             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      'RuntimeError: HIP out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.98 GiB total capacity; 13.11 GiB already allocated)',
    ];
  }

  private uncaughtTraceback(): string[] {
    return [
      'Traceback (most recent call last):',
      `  File "${WORKER_SCRIPT}", line 912, in <module>`,
      '    main()',
      `  File "${WORKER_SCRIPT}", line 864, in main`,
      '    study.optimize(objective, n_trials=n_trials, show_progress_bar=True)',
      `  File "${OPTUNA}/study/study.py", line 475, in optimize`,
      '    _optimize(',
      `  File "${OPTUNA}/study/_optimize.py", line 248, in _run_trial`,
      '    raise func_err',
      'RuntimeError: HIP out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.98 GiB total capacity; 13.11 GiB already allocated)',
    ];
  }
}
