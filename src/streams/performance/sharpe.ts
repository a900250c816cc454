/**
 * Live Sharpe ratio from bar returns over a rolling window, annualised by the bar length
 * (365-day years: crypto trades every day). Like the system's live monitor: mean over sample
 * standard deviation of `total_asset.pct_change()`, × √(bars per year).
 */

/** [bar time ms, total value]. */
export type SharpePoint = [number, number];

export interface SharpeState {
  /** Oldest first, every bar inside the window. */
  history: SharpePoint[];
}

export interface SharpeReading {
  sharpe: number;
  /** Returns it was computed from. */
  returns: number;
  /** Bar length used for annualising. */
  bar_ms: number;
}

export interface SharpeOptions {
  windowMs: number;
  /** Fewest returns a ratio is computed from. */
  minReturns: number;
  /** Bar length; default the median spacing of the window's bars. */
  barMs?: number;
}

export const YEAR_MS = 365 * 86_400_000;
export const MAX_SHARPE_POINTS = 20_000;

export const initialSharpeState = (): SharpeState => ({ history: [] });

/** Annualised Sharpe ratio of `returns`; null when it is undefined (fewer than 2, or no variation). */
export function annualisedSharpe(returns: readonly number[], barMs: number): number | null {
  if (returns.length < 2 || !(barMs > 0)) return null;
  const mean = returns.reduce((sum, r) => sum + r, 0) / returns.length;
  const variance = returns.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (returns.length - 1);
  const std = Math.sqrt(variance);
  // All-cash bars have returns of exactly 0: no ratio rather than ±infinity.
  if (!(std > 1e-12)) return null;
  return (mean / std) * Math.sqrt(YEAR_MS / barMs);
}

/** The median spacing of consecutive points, a bar length robust to a few skipped bars. */
export function medianSpacing(points: readonly SharpePoint[]): number | null {
  if (points.length < 2) return null;
  const gaps = points.slice(1).map((p, i) => p[0] - points[i][0]).sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  return gaps.length % 2 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
}

/**
 * Adds a bar, dropping those older than the window; reads the ratio when `read` (priming on
 * history only fills the window: the median and the ratio are computed for bars that are judged).
 */
export function observeSharpe(state: SharpeState, bar: { at: string; total: number }, options: SharpeOptions, read = true): { state: SharpeState; reading: SharpeReading | null } {
  const atMs = Date.parse(bar.at);
  const startMs = atMs - options.windowMs;
  let first = Math.max(0, state.history.length + 1 - MAX_SHARPE_POINTS);
  while (first < state.history.length && state.history[first][0] < startMs) first++;
  const history = state.history.slice(first);
  history.push([atMs, bar.total]);
  const next = { history };
  if (!read) return { state: next, reading: null };
  const returns: number[] = [];
  for (let i = 1; i < history.length; i++) if (history[i - 1][1] > 0) returns.push(history[i][1] / history[i - 1][1] - 1);
  const barMs = options.barMs ?? medianSpacing(history);
  if (returns.length < options.minReturns || barMs === null) return { state: next, reading: null };
  const sharpe = annualisedSharpe(returns, barMs);
  return { state: next, reading: sharpe === null ? null : { sharpe, returns: returns.length, bar_ms: barMs } };
}
