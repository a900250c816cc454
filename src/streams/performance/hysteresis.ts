/**
 * Raise-and-clear with hysteresis: a condition is raised when a value reaches the raise level
 * and cleared only once the value is strictly past a separate clear level on the safe side, so
 * a value hovering around either level gives one event, not one per bar. With `hold` > 1 the
 * value must stay there that many bars in a row: a noisy statistic that swings across both
 * levels from one bar to the next (a Sharpe ratio of few returns) changes nothing.
 */

/** Which side of the raise level is bad: `above` for drawdown, `below` for alpha. */
export type Direction = 'above' | 'below';

export interface Band {
  direction: Direction;
  /** Raised when the value is at this level or worse. */
  raise: number;
  /** Cleared when the value is strictly better than this level. */
  clear: number;
  /** Consecutive bars the value must stay at the raise level (or past the clear level) before the condition changes; default 1. */
  hold?: number;
}

/** A raised condition (plain JSON: persisted so a restart neither repeats nor forgets it). */
export interface RaisedCondition {
  /** Bar time when it was raised. */
  at: string;
  /** The worst value seen while it lasted. */
  worst: number;
}

export type Transition = { kind: 'raise' } | { kind: 'clear'; episode: RaisedCondition } | null;

/**
 * Values are compared at 9 decimals: a drawdown printed as exactly 10 % but computed as
 * 9.999999999999998 is at a 10 % threshold.
 */
const settle = (value: number): number => Math.round(value * 1e9) / 1e9;

const isWorse = (direction: Direction, a: number, b: number): boolean => (direction === 'above' ? a > b : a < b);

export interface ConditionStep {
  raised: RaisedCondition | null;
  transition: Transition;
  /** Consecutive bars so far on the side that would change the condition (persist it with `raised`). */
  streak: number;
}

/** The condition after one more value, and what changed. `streak` is the previous step's. */
export function stepCondition(raised: RaisedCondition | null, value: number, at: string, band: Band, streak = 0): ConditionStep {
  const v = settle(value);
  const hold = band.hold ?? 1;
  if (raised === null) {
    const reached = band.direction === 'above' ? v >= band.raise : v <= band.raise;
    if (!reached) return { raised: null, transition: null, streak: 0 };
    if (streak + 1 < hold) return { raised: null, transition: null, streak: streak + 1 };
    return { raised: { at, worst: value }, transition: { kind: 'raise' }, streak: 0 };
  }
  const kept = isWorse(band.direction, value, raised.worst) ? { at: raised.at, worst: value } : raised;
  const past = band.direction === 'above' ? v < band.clear : v > band.clear;
  if (!past) return { raised: kept, transition: null, streak: 0 };
  if (streak + 1 < hold) return { raised: kept, transition: null, streak: streak + 1 };
  return { raised: null, transition: { kind: 'clear', episode: raised }, streak: 0 };
}
