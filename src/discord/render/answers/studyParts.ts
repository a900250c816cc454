/** What /status and /training status both say about studies and workers. */
import type { StudyStatusView, TrainingStatusAnswer } from '../../../readModel/answers';
import { FINISHED_STATES } from '../../../watchers/optunaRecords';
import { finiteNumber, formatCount, formatDuration, formatObjective } from '../formatValues';
import { markdownText } from '../sanitizeText';

/** Finished trials (complete, pruned, failed): what a study's `target_trials` counts. */
export function finishedCount(counts: Readonly<Record<string, number>>): number {
  return FINISHED_STATES.reduce((sum, state) => sum + (finiteNumber(counts[state]) ?? 0), 0);
}

/** Running trials: the list when the query gave one, else the RUNNING count. */
export function runningCount(study: Pick<StudyStatusView, 'counts' | 'running'>): number {
  return study.running.length > 0 ? study.running.length : Math.max(0, finiteNumber(study.counts.RUNNING) ?? 0);
}

/** "🟢 3/3 workers running · 1 paused" (🟠 when fewer than expected). */
export function workersLine(workers: TrainingStatusAnswer['workers']): string {
  const running = finiteNumber(workers.running) ?? 0;
  const expected = finiteNumber(workers.expected);
  const short = expected !== null && running < expected;
  const icon = short ? '🟠' : running > 0 ? '🟢' : '⚪';
  const count = expected !== null ? `${running}/${expected}` : String(running);
  const paused = finiteNumber(workers.paused) ?? 0;
  return `${icon} ${count} worker${(expected ?? running) === 1 ? '' : 's'} running${paused > 0 ? ` · ${paused} paused` : ''}`;
}

/** True when fewer workers run than expected. */
export function workersShort(workers: TrainingStatusAnswer['workers']): boolean {
  const expected = finiteNumber(workers.expected);
  return expected !== null && (finiteNumber(workers.running) ?? 0) < expected;
}

/** "150/500 · ETA 3 h 05 min", "150/500 · target reached", "150 finished" (markdown-safe). */
export function progressText(study: Pick<StudyStatusView, 'counts' | 'target' | 'etaS'>): string {
  const done = finishedCount(study.counts);
  const target = finiteNumber(study.target);
  if (target === null) return `${formatCount(done)} finished`;
  const of = `${formatCount(done)}/${formatCount(target)}`;
  if (done >= target) return `${of} · target reached`;
  const eta = finiteNumber(study.etaS);
  return eta === null ? of : `${of} · ETA ${markdownText(formatDuration(eta))}`;
}

/** "1.2345 (#57)" or "—" (markdown-safe). */
export function bestText(value: number | null, number: number | null): string {
  if (value === null) return '—';
  return `${markdownText(formatObjective(value))}${finiteNumber(number) !== null ? ` (#${number})` : ''}`;
}
