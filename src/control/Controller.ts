/**
 * The one object the Discord side talks to: plan an action (what will happen, or why not),
 * then — once the user confirmed — execute that plan, with progress told as it happens and the
 * final outcome as the promise's value. No Discord here.
 *
 * - Names typed by users are only looked up (names.ts); what is used is the configuration's.
 * - Processes come from the injected finder (the process source's class match).
 * - A plan is re-checked when executed: the trader must still be configured the same way, a
 *   start must still find it not running, a stop's process must still be the one planned
 *   (pid + start ticks; a reused pid is never signalled).
 * - One action at a time per trader (`busy` otherwise).
 * - close() ends every wait at once (barista's shutdown is never held up); the traders are
 *   left as they are. retire() closes once the actions running now are done (a rules edit
 *   replaced this Controller: their outcomes still arrive, then nothing of it is left).
 */
import type { ControlConfig } from '../config/schema';
import { redactSecrets } from '../logging/redactSecrets';
import { sameTrader, workerStudy, type FoundProcess, type ProcessFinder } from './finder';
import { checkName, nameShapeProblem } from './names';
import { planRestart, planStart, planStop, planWorkers, refusal, type Plan, type Refusal, type RestartPlan, type StartPlan, type StopPlan, type WorkersPlan } from './plan';
import { chooseLauncher } from './launcher';
import { startTrader, type ExitStatus, type StartOutcome, type StartProgress } from './start';
import { stopProcess, type StopOutcome, type StopProgress } from './stop';
import { controlTargets, type ControlTargets, type TraderTarget } from './targets';
import { signalWorkers, type WorkerSignalResult } from './workers';

export interface ControllerOptions {
  control: ControlConfig;
  /** Absolute workspace: relative cwd and log paths resolve against it. */
  workspace: string;
  finder: ProcessFinder;
  /** Whether a trader-class process is this trader's; default sameTrader (script, model dir, CSV). */
  belongsTo?: (process: FoundProcess, trader: TraderTarget) => boolean;
  /** When the trader's next poll is due (ms since epoch), from the heartbeat cache; null unknown. */
  nextPollDue?: (trader: string) => number | null;
  /** barista's environment (PATH, HOME, LANG and pass_env names are read from it; INVOCATION_ID and PATH choose the launcher). */
  env?: NodeJS.ProcessEnv;
  /** barista's state folder: a trader started as a systemd unit reads its environment from a 0600 file there. */
  envFileDir?: string;
  now?: () => number;
  procRoot?: string;
  /** Wait for the exit after an escalation (default 10 s). */
  afterEscalationMs?: number;
  /** /proc polling interval while waiting (default 100 ms). */
  pollMs?: number;
}

export type Progress = StartProgress | StopProgress;

export interface ExecuteOptions {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

export type Outcome =
  | { refused: false; action: 'start'; trader: string; outcome: StartOutcome }
  | { refused: false; action: 'stop'; trader: string; outcome: StopOutcome }
  /** start is null when it was not attempted (`startSkipped` says why). */
  | { refused: false; action: 'restart'; trader: string; stop: StopOutcome; start: StartOutcome | null; startSkipped?: string }
  | { refused: false; action: 'pause' | 'resume'; results: WorkerSignalResult[] }
  | Refusal;

export class Controller {
  private targets: ControlTargets;
  private readonly busy = new Set<string>();
  /** Children this barista started, by `pid:startTicks`: their exit codes are known. */
  private readonly children = new Map<string, Promise<ExitStatus>>();
  private readonly closing = new AbortController();
  /** Actions executing now; a retired Controller closes when this is back to 0. */
  private running = 0;
  private retiring = false;
  private readonly now: () => number;

  constructor(private readonly options: ControllerOptions) {
    this.targets = controlTargets(options.control, options.workspace);
    this.now = options.now ?? Date.now;
  }

  /** After a rules reload. Actions already running go on with what they planned. */
  updateConfig(control: ControlConfig, workspace = this.options.workspace): void {
    this.targets = controlTargets(control, workspace);
  }

  /** The controllable traders' names (what commands accept and offer as choices). */
  traderNames(): string[] {
    return [...this.targets.traders.keys()];
  }

  /** The running training workers (pid, study, paused), for choices and for /training. */
  workers(): (FoundProcess & { study: string | null })[] {
    return this.options.finder.find([this.targets.trainingClass]).map((p) => ({ ...p, study: workerStudy(p) }));
  }

  /** The processes of one trader now. */
  traderProcesses(trader: TraderTarget): FoundProcess[] {
    const belongs = this.options.belongsTo ?? sameTrader;
    return this.options.finder.find([this.targets.traderClass]).filter((p) => belongs(p, trader));
  }

  private resolve(action: Plan['action'], name: string | null | undefined): TraderTarget | Refusal {
    const checked = checkName(name, this.traderNames());
    if (!checked.ok) return refusal(action, this.targets.traders.size === 0 || !name ? 'not configured' : 'invalid name', checked.reason);
    return this.targets.traders.get(checked.name)!;
  }

  private busyRefusal(action: Plan['action'], trader: string): Refusal | null {
    return this.busy.has(trader) ? refusal(action, 'busy', `${trader} is already being started or stopped; wait for that to finish`, { trader }) : null;
  }

  planStart(name?: string | null): StartPlan | Refusal {
    const target = this.resolve('start', name);
    if ('refused' in target) return target;
    const plan = this.busyRefusal('start', target.name) ?? planStart(target, this.traderProcesses(target), this.now());
    if (plan.refused) return plan;
    // How it will run is part of what the user confirms; a launcher that cannot work is said now.
    const launcher = this.launcher();
    if (launcher.kind === 'unavailable') return refusal('start', 'not configured', launcher.reason, { trader: target.name });
    return launcher.kind === 'systemd-run' ? { ...plan, text: `${plan.text}, as its own systemd unit (systemd-run${launcher.scope === 'user' ? ' --user' : ''})` } : plan;
  }

  private launcher() {
    return chooseLauncher(this.targets.launcher, this.options.env ?? process.env);
  }

  /** `pid`: the process picked among the candidates of an `ambiguous` refusal. */
  planStop(name?: string | null, pid?: number | string | null): StopPlan | Refusal {
    const target = this.resolve('stop', name);
    if ('refused' in target) return target;
    const picked = parsePid(pid);
    if (picked === 'invalid') return refusal('stop', 'invalid name', 'a pid is a number', { trader: target.name });
    return this.busyRefusal('stop', target.name) ?? planStop(target, this.traderProcesses(target), { nowMs: this.now(), pid: picked, nextPollDueMs: this.options.nextPollDue?.(target.name) ?? null });
  }

  planRestart(name?: string | null, pid?: number | string | null): RestartPlan | Refusal {
    const target = this.resolve('restart', name);
    if ('refused' in target) return target;
    const picked = parsePid(pid);
    if (picked === 'invalid') return refusal('restart', 'invalid name', 'a pid is a number', { trader: target.name });
    return this.busyRefusal('restart', target.name) ?? planRestart(target, this.traderProcesses(target), { nowMs: this.now(), pid: picked, nextPollDueMs: this.options.nextPollDue?.(target.name) ?? null });
  }

  /** `worker`: nothing or "all" for every worker, a worker's pid, or a study some workers run. */
  planWorkers(action: 'pause' | 'resume', worker?: string | null): WorkersPlan | Refusal {
    const workers = this.workers();
    if (worker === undefined || worker === null || worker === '' || worker === 'all') return planWorkers(action, workers, this.now());
    if (/^\d{1,10}$/.test(worker)) {
      const one = workers.filter((w) => w.pid === Number(worker));
      if (one.length === 0) return refusal(action, 'invalid name', `no training worker has pid ${worker} (workers: ${workers.map((w) => w.pid).join(', ') || 'none'})`);
      return planWorkers(action, one, this.now());
    }
    const problem = nameShapeProblem(worker);
    if (problem) return refusal(action, 'invalid name', `not a worker: ${problem}`);
    const studies = [...new Set(workers.map((w) => w.study).filter((s): s is string => s !== null))];
    const checked = checkName(worker, studies, 'study');
    if (!checked.ok) return refusal(action, 'invalid name', `${checked.reason}; name a worker by its pid or study, or say all`);
    return planWorkers(
      action,
      workers.filter((w) => w.study === checked.name),
      this.now(),
    );
  }

  /** Carries out a plan (normally after the user confirmed it). Never throws for process trouble. */
  async execute(given: Plan, options: ExecuteOptions = {}): Promise<Outcome> {
    this.running += 1;
    try {
      return await this.carryOut(given, options);
    } finally {
      this.running -= 1;
      if (this.retiring && this.running === 0) this.close();
    }
  }

  private async carryOut(given: Plan, options: ExecuteOptions): Promise<Outcome> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    if (given.action === 'pause' || given.action === 'resume') {
      const workers = given as WorkersPlan;
      return { refused: false, action: workers.action, results: await signalWorkers(workers.workers, workers.signal, { signal, procRoot: this.options.procRoot }) };
    }
    const plan = given as StartPlan | StopPlan | RestartPlan;
    const target = this.targets.traders.get(plan.trader);
    if (!target) return refusal(plan.action, 'not configured', `${plan.trader} is no longer configured`, { trader: plan.trader });
    const startPlan = plan.action === 'start' ? plan : plan.action === 'restart' ? plan.start : null;
    if (startPlan && startPlan.command !== redactSecrets(target.argv.join(' '))) {
      return refusal(plan.action, 'not configured', `${plan.trader}'s start command changed since this was planned; ask again`, { trader: plan.trader });
    }
    const busy = this.busyRefusal(plan.action, target.name);
    if (busy) return busy;
    this.busy.add(target.name);
    try {
      if (plan.action === 'start') {
        const again = planStart(target, this.traderProcesses(target), this.now());
        if (again.refused) return again;
        return { refused: false, action: 'start', trader: target.name, outcome: await this.start(target, options.onProgress, signal) };
      }
      const stopPlan = plan.action === 'stop' ? plan : plan.stop;
      const stopped = await this.stop(stopPlan, options.onProgress, signal);
      if (plan.action === 'stop') return { refused: false, action: 'stop', trader: target.name, outcome: stopped };
      if (stopped.kind !== 'exited' && stopped.kind !== 'not_running') {
        return { refused: false, action: 'restart', trader: target.name, stop: stopped, start: null, startSkipped: `not started: the old process ${stopped.kind === 'still_running' ? 'still runs' : stopped.kind === 'abandoned' ? 'was still being watched when barista shut down' : 'could not be signalled'}` };
      }
      const others = this.traderProcesses(target);
      if (others.length > 0) {
        return { refused: false, action: 'restart', trader: target.name, stop: stopped, start: null, startSkipped: `not started: ${target.name} is still running (pid ${others.map((p) => p.pid).join(', ')})` };
      }
      if (signal.aborted) return { refused: false, action: 'restart', trader: target.name, stop: stopped, start: null, startSkipped: 'not started: barista is shutting down' };
      return { refused: false, action: 'restart', trader: target.name, stop: stopped, start: await this.start(target, options.onProgress, signal) };
    } finally {
      this.busy.delete(target.name);
    }
  }

  private start(target: TraderTarget, onProgress: ExecuteOptions['onProgress'], signal: AbortSignal): Promise<StartOutcome> {
    return startTrader(target, {
      env: this.options.env,
      launcher: this.launcher(),
      envFileDir: this.options.envFileDir,
      findRunning: () => this.traderProcesses(target),
      signal,
      onProgress,
      now: this.now,
      pollMs: this.options.pollMs,
      onChild: ({ pid, startTicks, exited }) => {
        const key = `${pid}:${startTicks}`;
        this.children.set(key, exited);
        void exited.then(() => setTimeout(() => this.children.delete(key), 60_000).unref());
      },
    });
  }

  private stop(plan: StopPlan, onProgress: ExecuteOptions['onProgress'], signal: AbortSignal): Promise<StopOutcome> {
    return stopProcess(plan, {
      signal,
      onProgress,
      exited: this.children.get(`${plan.pid}:${plan.startTicks}`),
      afterEscalationMs: this.options.afterEscalationMs,
      pollMs: this.options.pollMs,
      procRoot: this.options.procRoot,
      now: this.now,
    });
  }

  /** Ends every wait in progress at once (their outcomes say `abandoned`); processes are left alone. */
  close(): void {
    this.closing.abort();
  }

  /** Replaced by another Controller: close now if idle, else once the running actions end. */
  retire(): void {
    this.retiring = true;
    if (this.running === 0) this.close();
  }

  get closed(): boolean {
    return this.closing.signal.aborted;
  }
}

function parsePid(pid: number | string | null | undefined): number | undefined | 'invalid' {
  if (pid === undefined || pid === null || pid === '') return undefined;
  if (typeof pid === 'number') return Number.isSafeInteger(pid) && pid > 0 ? pid : 'invalid';
  return /^\d{1,10}$/.test(pid) ? Number(pid) : 'invalid';
}
