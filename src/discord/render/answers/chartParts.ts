/** What the chart replies share: the attachment's file name and how a period reads. */
import type { EquitySeriesAnswer, TrainingSeriesAnswer } from '../../../readModel/answers';
import { finiteNumber, formatDuration } from '../formatValues';

/** A file name Discord can match from `attachment://…`: letters, digits, `_`, `-`, `.` only. */
function slug(text: string): string {
  const plain = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60);
  return plain === '' ? 'chart' : plain;
}

/**
 * The PNG the chart renderer should attach for this answer, which the embed shows through
 * `image: { url: 'attachment://<name>' }`; null when there is nothing to draw (no image then).
 */
export function chartFileName(answer: EquitySeriesAnswer | TrainingSeriesAnswer): string | null {
  if (answer.kind === 'equity-series') return answer.points.some((p) => finiteNumber(p.total) !== null) ? `equity-${slug(answer.trader)}.png` : null;
  return answer.trials.some((t) => finiteNumber(t.value) !== null) ? `trials-${slug(answer.study)}.png` : null;
}

/** "last 7 d", "last 24 h", "last 90 min"; "everything kept" for null. */
export function periodText(periodMs: number | null): string {
  const ms = finiteNumber(periodMs);
  if (ms === null || ms <= 0) return 'everything kept';
  const s = ms / 1000;
  if (s % 86_400 === 0) return `last ${s / 86_400} d`;
  if (s % 3600 === 0) return `last ${s / 3600} h`;
  if (s % 60 === 0 && s < 86_400) return `last ${s / 60} min`;
  return `last ${formatDuration(s)}`;
}
