/**
 * Stopping one process named by (pid, start ticks): the configured signal, then a watch on
 * /proc until it is gone (it need not be barista's child: after a restart, or started as a
 * systemd unit, it is not). After `grace`, `then` is sent only when configured — and said;
 * without it the watch goes on for `wait` and the user is told it still runs. Every wait has a deadline and ends at once when
 * the abort signal fires (barista shutting down), leaving the trader alone.
 */
import { fileSize, logTailSince, type ExitStatus } from './start';
import { signalVerified, waitForGone } from './procfs';

export interface StopTarget {
  trader: string;
  pid: number;
  startTicks: number;
  signal: NodeJS.Signals;
  graceMs: number;
  then: NodeJS.Signals | null;
  waitMs: number;
  log: string | null;
}

export type StopProgress =
  | { kind: 'signalled'; trader: string; pid: number; signal: NodeJS.Signals }
  /** Grace is over and it still runs: `escalating` to `then`, or (none configured) still waiting. */
  | { kind: 'grace_passed'; trader: string; pid: number; afterMs: number; next: { escalating: NodeJS.Signals } | { waitingMs: number } }
  | { kind: 'escalated'; trader: string; pid: number; signal: NodeJS.Signals };

export type StopOutcome =
  | {
      kind: 'exited';
      trader: string;
      pid: number;
      afterMs: number;
      escalated: boolean;
      /** The signals sent, in order. */
      signals: NodeJS.Signals[];
      /** Known only when barista started it in this run (its child); else null. */
      exit: ExitStatus | null;
      /** What its log gained since the signal, redacted. */
      logTail: string[];
    }
  | { kind: 'still_running'; trader: string; pid: number; afterMs: number; escalated: boolean; signals: NodeJS.Signals[]; reason: string }
  /** It had gone, or its pid names another process now: nothing was sent. */
  | { kind: 'not_running'; trader: string; pid: number; reason: string }
  | { kind: 'signal_failed'; trader: string; pid: number; signal: NodeJS.Signals; reason: string }
  /** barista is shutting down: the watch ended, the process was left as it was. */
  | { kind: 'abandoned'; trader: string; pid: number; afterMs: number; signals: NodeJS.Signals[] };

export interface StopOptions {
  signal?: AbortSignal;
  onProgress?: (progress: StopProgress) => void;
  /** Its exit, when it is barista's child. */
  exited?: Promise<ExitStatus>;
  /** How long to wait for the exit after `then` (default 10 s). */
  afterEscalationMs?: number;
  pollMs?: number;
  procRoot?: string;
  now?: () => number;
}

export async function stopProcess(target: StopTarget, options: StopOptions = {}): Promise<StopOutcome> {
  const now = options.now ?? Date.now;
  const { trader, pid, startTicks } = target;
  let exit: ExitStatus | null = null;
  void options.exited?.then((status) => (exit = status));
  const logOffset = fileSize(target.log);
  const t0 = now();
  const sent = signalVerified(pid, startTicks, target.signal, options.procRoot);
  if (!sent.sent) {
    if (sent.reason === 'gone' || sent.reason === 'reused') return { kind: 'not_running', trader, pid, reason: sent.reason === 'gone' ? 'it had already exited' : 'its pid now belongs to another process' };
    return { kind: 'signal_failed', trader, pid, signal: target.signal, reason: sent.reason };
  }
  const signals: NodeJS.Signals[] = [target.signal];
  options.onProgress?.({ kind: 'signalled', trader, pid, signal: target.signal });

  const wait = (deadlineMs: number) => waitForGone(pid, startTicks, { deadlineMs, signal: options.signal, intervalMs: options.pollMs, procRoot: options.procRoot, now, exited: options.exited });
  const exitedOutcome = async (escalated: boolean): Promise<StopOutcome> => {
    // A child's exit status follows its disappearance from /proc by a moment.
    if (options.exited && !exit) await Promise.race([options.exited, new Promise((r) => setTimeout(r, 500).unref())]);
    return { kind: 'exited', trader, pid, afterMs: now() - t0, escalated, signals, exit, logTail: logTailSince(target.log, logOffset) };
  };

  let result = await wait(t0 + target.graceMs);
  if (result === 'gone') return exitedOutcome(false);
  if (result === 'aborted') return { kind: 'abandoned', trader, pid, afterMs: now() - t0, signals };

  if (target.then) {
    options.onProgress?.({ kind: 'grace_passed', trader, pid, afterMs: now() - t0, next: { escalating: target.then } });
    const again = signalVerified(pid, startTicks, target.then, options.procRoot);
    if (!again.sent) {
      if (again.reason === 'gone' || again.reason === 'reused') return exitedOutcome(false);
      return { kind: 'signal_failed', trader, pid, signal: target.then, reason: again.reason };
    }
    signals.push(target.then);
    options.onProgress?.({ kind: 'escalated', trader, pid, signal: target.then });
    const afterMs = options.afterEscalationMs ?? 10_000;
    result = await wait(now() + afterMs);
    if (result === 'gone') return exitedOutcome(true);
    if (result === 'aborted') return { kind: 'abandoned', trader, pid, afterMs: now() - t0, signals };
    return { kind: 'still_running', trader, pid, afterMs: now() - t0, escalated: true, signals, reason: `still running ${Math.round(afterMs / 1000)} s after ${target.then}` };
  }

  options.onProgress?.({ kind: 'grace_passed', trader, pid, afterMs: now() - t0, next: { waitingMs: target.waitMs } });
  result = await wait(t0 + target.graceMs + target.waitMs);
  if (result === 'gone') return exitedOutcome(false);
  if (result === 'aborted') return { kind: 'abandoned', trader, pid, afterMs: now() - t0, signals };
  return {
    kind: 'still_running',
    trader,
    pid,
    afterMs: now() - t0,
    escalated: false,
    signals,
    reason: `still running ${Math.round((target.graceMs + target.waitMs) / 1000)} s after ${target.signal}; no escalation is configured (stop.then)`,
  };
}
