/**
 * Plans: what an action WILL do, decided from the configuration and one look at the process
 * list, before anything is done — the text of a confirmation message, and the exact process a
 * confirmed plan acts on (pid + start ticks). Or a refusal saying why not. Pure: no /proc, no
 * clock of its own; plans are plain JSON, so they can wait in a pending action.
 */
import { redactSecrets } from '../logging/redactSecrets';
import { formatDuration } from '../streams/processLifecycle';
import type { FoundProcess } from './finder';
import type { TraderTarget } from './targets';

/** A process a plan may act on, as shown to the user. */
export interface Candidate {
  pid: number;
  startTicks: number;
  /** ISO time it started. */
  startedAt: string;
  /** "up 3 d 4 h" */
  up: string;
  /** Its command line, secrets redacted. */
  command: string;
  state: string;
}

export type RefusalCode = 'invalid name' | 'not configured' | 'already running' | 'not running' | 'ambiguous' | 'busy' | 'no workers' | 'nothing to do';

export interface Refusal {
  refused: true;
  action: ActionName;
  code: RefusalCode;
  reason: string;
  trader?: string;
  /** For `ambiguous` (pick one) and `already running`. */
  candidates?: Candidate[];
}

export type ActionName = 'start' | 'stop' | 'restart' | 'pause' | 'resume';

export interface StartPlan {
  refused: false;
  action: 'start';
  trader: string;
  /** Redacted, for showing. */
  command: string;
  cwd: string;
  log: string | null;
  settleMs: number;
  banner: string | null;
  text: string;
  expectation: string;
}

export interface StopPlan {
  refused: false;
  action: 'stop';
  trader: string;
  pid: number;
  startTicks: number;
  startedAt: string;
  signal: NodeJS.Signals;
  graceMs: number;
  then: NodeJS.Signals | null;
  waitMs: number;
  log: string | null;
  text: string;
  expectation: string;
}

export interface RestartPlan {
  refused: false;
  action: 'restart';
  trader: string;
  stop: StopPlan;
  start: StartPlan;
  text: string;
  expectation: string;
}

export interface WorkersPlan {
  refused: false;
  action: 'pause' | 'resume';
  signal: 'SIGSTOP' | 'SIGCONT';
  workers: (Candidate & { study: string | null })[];
  /** Named workers left out because they already are as asked. */
  unchanged: number[];
  text: string;
  expectation: string;
}

export type Plan = StartPlan | StopPlan | RestartPlan | WorkersPlan;

const iso = (ms: number) => new Date(ms).toISOString();
const hhmm = (ms: number) => `${iso(ms).slice(11, 16)} UTC`;
const seconds = (ms: number) => (ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : formatDuration(Math.round(ms / 1000)));

export function candidateOf(process: FoundProcess, nowMs: number): Candidate {
  return {
    pid: process.pid,
    startTicks: process.startTicks,
    startedAt: iso(process.startedAtMs),
    up: `up ${formatDuration(Math.max(0, Math.round((nowMs - process.startedAtMs) / 1000)))}`,
    command: redactSecrets(process.argv.join(' ')),
    state: process.state,
  };
}

export function refusal(action: ActionName, code: RefusalCode, reason: string, extra: { trader?: string; candidates?: Candidate[] } = {}): Refusal {
  return { refused: true, action, code, reason, ...extra };
}

export function planStart(trader: TraderTarget, running: readonly FoundProcess[], nowMs: number): StartPlan | Refusal {
  if (running.length > 0) {
    const pids = running.map((p) => p.pid).join(', ');
    return refusal('start', 'already running', `${trader.name} is already running (pid ${pids})`, { trader: trader.name, candidates: running.map((p) => candidateOf(p, nowMs)) });
  }
  const command = redactSecrets(trader.argv.join(' '));
  const settle = seconds(trader.settleMs);
  return {
    refused: false,
    action: 'start',
    trader: trader.name,
    command,
    cwd: trader.cwd,
    log: trader.log,
    settleMs: trader.settleMs,
    banner: trader.banner,
    text: `Start ${trader.name}: ${command} (in ${trader.cwd}${trader.log ? `, output appended to ${trader.log}` : ', output discarded'})`,
    expectation: trader.banner
      ? `reported started once it has run ${settle} and printed its start banner (up to ${seconds(trader.bannerTimeoutMs)})`
      : `reported started once it has run ${settle}`,
  };
}

/**
 * Stop: the one process of this trader, or the one the user picked (`pid`, which must be one
 * of the candidates). `nextPollDueMs` (from the heartbeat) says when a sleeping trader wakes.
 */
export function planStop(trader: TraderTarget, running: readonly FoundProcess[], options: { nowMs: number; pid?: number; nextPollDueMs?: number | null }): StopPlan | Refusal {
  const { nowMs } = options;
  if (running.length === 0) return refusal('stop', 'not running', `${trader.name} is not running`, { trader: trader.name });
  let chosen: FoundProcess | undefined;
  if (options.pid !== undefined) {
    chosen = running.find((p) => p.pid === options.pid);
    if (!chosen) return refusal('stop', 'not running', `pid ${options.pid} is not a running ${trader.name} process`, { trader: trader.name, candidates: running.map((p) => candidateOf(p, nowMs)) });
  } else if (running.length > 1) {
    return refusal('stop', 'ambiguous', `${running.length} processes match ${trader.name}: pick one`, { trader: trader.name, candidates: running.map((p) => candidateOf(p, nowMs)) });
  } else chosen = running[0];

  const { signal, graceMs, then, waitMs } = trader.stop;
  const up = candidateOf(chosen, nowMs).up;
  const next = options.nextPollDueMs;
  let expectation: string;
  if (signal === 'SIGINT') {
    expectation = `${trader.name} finishes its current poll${next ? `; next poll due ${hhmm(next)}` : ' or sleep (next poll time unknown)'}`;
  } else if (signal === 'SIGKILL' || signal === 'SIGTERM') {
    expectation = `${trader.name} ends at once, without a final log line`;
  } else {
    expectation = `${trader.name} should exit on ${signal}`;
  }
  expectation += then
    ? `; if it still runs after ${seconds(graceMs)}, barista sends ${then}`
    : `; no escalation is configured: barista watches for its exit up to ${seconds(graceMs + waitMs)}`;
  return {
    refused: false,
    action: 'stop',
    trader: trader.name,
    pid: chosen.pid,
    startTicks: chosen.startTicks,
    startedAt: iso(chosen.startedAtMs),
    signal,
    graceMs,
    then,
    waitMs,
    log: trader.log,
    text: `Send ${signal} to ${trader.name} (pid ${chosen.pid}, ${up})`,
    expectation,
  };
}

export function planRestart(trader: TraderTarget, running: readonly FoundProcess[], options: { nowMs: number; pid?: number; nextPollDueMs?: number | null }): RestartPlan | Refusal {
  const stop = planStop(trader, running, options);
  if (stop.refused) return { ...stop, action: 'restart' };
  const start = planStart(trader, [], options.nowMs);
  if (start.refused) return { ...start, action: 'restart' };
  return {
    refused: false,
    action: 'restart',
    trader: trader.name,
    stop,
    start,
    text: `Restart ${trader.name}: ${stop.text}, then start it again`,
    expectation: `${stop.expectation}; once it has exited: ${start.expectation}`,
  };
}

/**
 * Pause (SIGSTOP) or resume (SIGCONT) training workers: `selected` are the workers the user
 * named (all of them when none was named); those already as asked are left out.
 */
export function planWorkers(action: 'pause' | 'resume', selected: readonly (FoundProcess & { study: string | null })[], nowMs: number): WorkersPlan | Refusal {
  if (selected.length === 0) return refusal(action, 'no workers', 'no training worker is running');
  const paused = (p: FoundProcess) => p.state === 'T' || p.state === 't';
  const acting = selected.filter((p) => (action === 'pause' ? !paused(p) : paused(p)));
  const unchanged = selected.filter((p) => !acting.includes(p)).map((p) => p.pid);
  if (acting.length === 0) return refusal(action, 'nothing to do', `${selected.length === 1 ? 'that worker is' : `all ${selected.length} workers are`} already ${action === 'pause' ? 'paused' : 'running'}`);
  const signal = action === 'pause' ? 'SIGSTOP' : 'SIGCONT';
  const workers = acting.map((p) => ({ ...candidateOf(p, nowMs), study: p.study }));
  const list = workers.map((w) => `${w.pid}${w.study ? ` (${w.study})` : ''}`).join(', ');
  return {
    refused: false,
    action,
    signal,
    workers,
    unchanged,
    text: `Send ${signal} to ${workers.length === 1 ? 'training worker' : `${workers.length} training workers`} ${list}`,
    expectation:
      action === 'pause'
        ? 'they stop where they are (state T) and hold their memory and GPU until resumed; a paused trial counts as running in Optuna'
        : 'they carry on where they stopped',
  };
}
