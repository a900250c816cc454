/**
 * The few /proc reads and signals control needs, always about ONE process named by
 * (pid, start ticks): a pid alone may have been reused by the time a confirmation arrives, so
 * every signal is preceded by a read of /proc/<pid>/stat and sent only when the start time is
 * still the one matched. (Linux offers no race-free way from Node — pidfd_send_signal is not
 * exposed — so the window left is the few microseconds between that read and kill(2).)
 */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** R running, S sleeping, D disk wait, T stopped, t traced, Z zombie, X dead. */
  state: string;
  /** stat field 22: clock ticks after boot. With the pid, names the process. */
  startTicks: number;
}

/** /proc/<pid>/stat, or null when there is no such process (or it cannot be read). */
export function readStat(pid: number, procRoot = '/proc'): ProcStat | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(fields[1]), state: fields[0], startTicks: Number(fields[19]) };
}

/** A process that exited but was not reaped yet is gone for control's purposes. */
export const isExitedState = (state: string) => state === 'Z' || state === 'X';
export const isStoppedState = (state: string) => state === 'T' || state === 't';

export type Liveness = 'alive' | 'gone' | 'reused';

/** Whether the process (pid, startTicks) still runs: gone, or its pid now names another process. */
export function liveness(pid: number, startTicks: number, procRoot = '/proc'): Liveness {
  const stat = readStat(pid, procRoot);
  if (!stat) return 'gone';
  if (stat.startTicks !== startTicks) return 'reused';
  return isExitedState(stat.state) ? 'gone' : 'alive';
}

export type SignalResult = { sent: true } | { sent: false; reason: 'gone' | 'reused' | 'not permitted' | string };

/** Sends `signal` to (pid, startTicks) only if /proc still shows that very process. */
export function signalVerified(pid: number, startTicks: number, signal: NodeJS.Signals, procRoot = '/proc'): SignalResult {
  const now = liveness(pid, startTicks, procRoot);
  if (now !== 'alive') return { sent: false, reason: now };
  try {
    process.kill(pid, signal);
    return { sent: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return { sent: false, reason: 'gone' };
    if (code === 'EPERM') return { sent: false, reason: 'not permitted' };
    return { sent: false, reason: code ?? String(error) };
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (then with false). The timer keeps Node
 * alive (an outcome is always delivered); barista's shutdown aborts the signal (Controller.close).
 */
export function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls /proc until (pid, startTicks) is gone (or a zombie), `deadlineMs` passes (an absolute
 * time) or `signal` aborts. The process need not be barista's child (after a restart it is not),
 * so there is no exit event to wait on.
 */
export async function waitForGone(
  pid: number,
  startTicks: number,
  options: { deadlineMs: number; signal?: AbortSignal; intervalMs?: number; procRoot?: string; now?: () => number; exited?: Promise<unknown> },
): Promise<'gone' | 'timeout' | 'aborted'> {
  const now = options.now ?? Date.now;
  let exited = false;
  void options.exited?.then(() => (exited = true));
  for (;;) {
    if (exited || liveness(pid, startTicks, options.procRoot) !== 'alive') return 'gone';
    if (options.signal?.aborted) return 'aborted';
    const left = options.deadlineMs - now();
    if (left <= 0) return 'timeout';
    await delay(Math.min(options.intervalMs ?? 100, left), options.signal);
  }
}
