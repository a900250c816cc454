/**
 * Pausing and resuming training workers, as the real system's README does by hand
 * (`kill -STOP` / `kill -CONT` on each worker's pid), each pid verified by its start time first,
 * then watched until /proc shows the new state (T when stopped), with a short deadline.
 */
import { delay, isStoppedState, readStat, signalVerified } from './procfs';

export interface WorkerSignalResult {
  pid: number;
  ok: boolean;
  /** The /proc state letter seen afterwards (T = stopped), null when gone. */
  state: string | null;
  reason?: string;
}

export async function signalWorkers(
  workers: readonly { pid: number; startTicks: number }[],
  signal: 'SIGSTOP' | 'SIGCONT',
  options: { deadlineMs?: number; signal?: AbortSignal; procRoot?: string } = {},
): Promise<WorkerSignalResult[]> {
  const wantStopped = signal === 'SIGSTOP';
  const results: WorkerSignalResult[] = workers.map(({ pid, startTicks }) => {
    const sent = signalVerified(pid, startTicks, signal, options.procRoot);
    if (!sent.sent) return { pid, ok: false, state: readStat(pid, options.procRoot)?.state ?? null, reason: sent.reason === 'reused' ? 'its pid now belongs to another process' : sent.reason === 'gone' ? 'it had exited' : sent.reason };
    return { pid, ok: true, state: null };
  });
  const deadline = Date.now() + (options.deadlineMs ?? 2000);
  for (;;) {
    let pending = false;
    for (const [i, result] of results.entries()) {
      if (!result.ok) continue;
      const stat = readStat(result.pid, options.procRoot);
      result.state = stat && stat.startTicks === workers[i].startTicks ? stat.state : null;
      if (result.state !== null && isStoppedState(result.state) !== wantStopped) pending = true;
    }
    if (!pending || Date.now() >= deadline || options.signal?.aborted) break;
    await delay(20, options.signal);
  }
  for (const result of results) {
    if (!result.ok) continue;
    if (result.state === null) Object.assign(result, { ok: false, reason: 'it exited' });
    else if (isStoppedState(result.state) !== wantStopped) Object.assign(result, { ok: false, reason: `its state is still ${result.state}` });
  }
  return results;
}
