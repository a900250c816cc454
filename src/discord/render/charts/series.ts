/**
 * Pure data preparation for the charts: cleaning, downsampling, drawdown, best-so-far, time ticks
 * and labels. No canvas here, so all of it is testable on plain arrays.
 */
import { redactSecrets } from '../../../logging/redactSecrets';
import { formatCount, formatGrouped } from '../formatValues';

export interface XY {
  x: number;
  y: number;
}

/** Points with finite coordinates only (NaN, ±Infinity, null dropped), sorted by x (stable). */
export function finitePoints(points: ReadonlyArray<{ x: number | null; y: number | null }>): XY[] {
  const out: XY[] = [];
  let sorted = true;
  for (const p of points) {
    if (p.x === null || p.y === null || !Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    if (out.length && p.x < out[out.length - 1].x) sorted = false;
    out.push({ x: p.x, y: p.y });
  }
  if (!sorted) out.sort((a, b) => a.x - b.x);
  return out;
}

/**
 * Min/max per bucket (M4): the x range is cut into `buckets` equal slices and each keeps its
 * first, lowest, highest and last point, in x order. A line drawn through the result covers the
 * same pixels as one through every point when `buckets` is the plot width, so peaks and crashes
 * survive while a 100,000-point series becomes at most 4 points per pixel column.
 * Input sorted by x; returned as is when already small enough.
 */
export function downsampleMinMax(points: readonly XY[], buckets: number): XY[] {
  const n = points.length;
  if (buckets < 1 || n <= buckets * 4) return points.slice();
  const x0 = points[0].x;
  const span = points[n - 1].x - x0;
  if (span <= 0) return pickExtremes(points, 0, n);
  const out: XY[] = [];
  let start = 0;
  while (start < n) {
    const bucket = Math.min(buckets - 1, Math.floor(((points[start].x - x0) / span) * buckets));
    let end = start + 1;
    while (end < n && Math.min(buckets - 1, Math.floor(((points[end].x - x0) / span) * buckets)) === bucket) end += 1;
    out.push(...pickExtremes(points, start, end));
    start = end;
  }
  return out;
}

/** First, min, max and last of points[start, end), each once, in x order. */
function pickExtremes(points: readonly XY[], start: number, end: number): XY[] {
  let min = start;
  let max = start;
  for (let i = start + 1; i < end; i += 1) {
    if (points[i].y < points[min].y) min = i;
    if (points[i].y > points[max].y) max = i;
  }
  const indices = [...new Set([start, min, max, end - 1])].sort((a, b) => a - b);
  return indices.map((i) => points[i]);
}

/** Drawdown from the running peak, in percent (0 at a new peak, negative below it). */
export function drawdownPercent(points: readonly XY[]): XY[] {
  let peak = -Infinity;
  return points.map((p) => {
    if (p.y > peak) peak = p.y;
    return { x: p.x, y: peak > 0 ? ((p.y - peak) / peak) * 100 : 0 };
  });
}

/** Value of the polyline at x (linear between neighbours); null outside its x range. */
export function valueAt(points: readonly XY[], x: number): number | null {
  const n = points.length;
  if (!n || x < points[0].x || x > points[n - 1].x) return null;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x <= x) lo = mid;
    else hi = mid;
  }
  const a = points[lo];
  const b = points[hi];
  if (x <= a.x || b.x === a.x) return x === b.x ? b.y : a.y;
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

/**
 * Keeps at most one point per cell of a grid of `cellX` × `cellY` data units: markers or dots
 * closer than a few pixels cover each other anyway, so 5,000 trades draw as a few hundred.
 */
export function thinToGrid(points: readonly XY[], cellX: number, cellY: number): XY[] {
  if (!(cellX > 0) || !(cellY > 0)) return points.slice();
  const seen = new Set<string>();
  const out: XY[] = [];
  for (const p of points) {
    const key = `${Math.floor(p.x / cellX)}:${Math.floor(p.y / cellY)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** Running best of the points (max or min), one point per improvement plus the last x, for a step line. */
export function bestSoFar(points: readonly XY[], direction: 'maximize' | 'minimize'): XY[] {
  const out: XY[] = [];
  let best: number | null = null;
  for (const p of points) {
    if (best === null || (direction === 'maximize' ? p.y > best : p.y < best)) {
      best = p.y;
      out.push({ x: p.x, y: best });
    }
  }
  const last = points[points.length - 1];
  if (best !== null && last && out[out.length - 1].x !== last.x) out.push({ x: last.x, y: best });
  return out;
}

/** The q-quantile (0..1) of finite numbers, by sorting a copy; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = Math.min(sorted.length - 1, Math.max(0, q * (sorted.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

// ------------------------------------------------------------------ time axis

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Tick positions on round UTC times (hours, days, weeks) between min and max, at most about `maxTicks`. */
export function timeTicks(min: number, max: number, maxTicks: number): { values: number[]; step: number } {
  const span = Math.max(max - min, 1);
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) * DAY;
  // Multiples of the step from the epoch are round UTC times (the epoch is a UTC midnight, a Thursday).
  const values: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) values.push(t);
  return { values, step };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "Mar 04" */
export function utcDay(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${pad2(d.getUTCDate())}`;
}

/** "14:30" */
export function utcTime(t: number): string {
  const d = new Date(t);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/**
 * A tick's label: the day for steps of a day or more; the time of day otherwise, with the day
 * under it on the first tick and wherever the day changes (a two-line label).
 */
export function timeTickLabel(value: number, previous: number | null, step: number): string | string[] {
  if (step >= DAY) return utcDay(value);
  const dayChanged = previous === null || Math.floor(previous / DAY) !== Math.floor(value / DAY);
  return dayChanged ? [utcTime(value), utcDay(value)] : utcTime(value);
}

/** "7d", "36h", "90m"; "all" for null. */
export function periodLabel(periodMs: number | null): string {
  if (periodMs === null || !Number.isFinite(periodMs) || periodMs <= 0) return 'all';
  if (periodMs % DAY === 0) return `${periodMs / DAY}d`;
  if (periodMs % HOUR === 0) return `${periodMs / HOUR}h`;
  return `${Math.max(1, Math.round(periodMs / MINUTE))}m`;
}

// ------------------------------------------------------------------ numbers and text

/** "1 trade", "1,234 trades". */
export function count(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** "$1,234.56" (cents below $100k, whole dollars above, k/M for axis use). */
export function formatMoney(value: number, compact = false): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (compact && abs >= 1e6) return `${sign}$${trimZeros((abs / 1e6).toFixed(2))}M`;
  if (compact && abs >= 1e4) return `${sign}$${trimZeros((abs / 1e3).toFixed(1))}k`;
  const digits = abs >= 1e5 ? 0 : 2;
  return `${sign}$${formatGrouped(abs, digits, digits)}`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A signed change: "+2.34 %" / "-0.50 %". */
export function formatPercent(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)} %`;
}

/** An objective value with about 5 significant digits, exponent form when very large or small. */
export function formatValue(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(3);
  return trimZeros(value.toPrecision(5));
}

// Emoji and the invisible characters that build them: the shipped font has no colour emoji, so
// they would show as empty boxes in an image.
const PICTOGRAPHS = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200D|\uFE0E|\uFE0F|\u20E3|[\u{E0020}-\u{E007F}]/gu;
// Controls, line and paragraph separators, lone surrogates: none may reach the canvas.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Untrusted text (a trader or study name) for an image: secrets redacted, emoji and controls
 * removed, whitespace folded, cut to `max` characters (whole graphemes) with "…". Markdown means
 * nothing on a canvas, so it is left as written. Cheap on 10 KB inputs: only a bounded prefix is
 * examined past the redaction.
 */
export function imageLabel(text: string, max: number): string {
  const limit = max * 8 + 256;
  const prefix = redactSecrets(text.slice(0, limit));
  const clean = prefix.replace(UNPRINTABLE, ' ').replace(PICTOGRAPHS, '').replace(/\s+/g, ' ').trim();
  const graphemes = Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(clean), (s) => s.segment);
  const cut = graphemes.length > max || text.length > limit;
  const shown = graphemes.slice(0, cut ? Math.max(1, max - 1) : max).join('').trimEnd();
  return shown ? (cut ? `${shown}…` : shown) : '?';
}
