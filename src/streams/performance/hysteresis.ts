/**
 * Raise-and-clear with hysteresis: a condition is raised when a value reaches the raise level
 * and cleared only once the value is strictly past a separate clear level on the safe side, so
 * a value hovering around either level gives one event, not one per bar.
 */

/** Which side of the raise level is bad: `above` for drawdown, `below` for alpha. */
export type Direction = 'above' | 'below';

export interface Band {
  direction: Direction;
  /** Raised when the value is at this level or worse. */
  raise: number;
  /** Cleared when the value is strictly better than this level. */
  clear: number;
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

/** The condition after one more value, and what changed. */
export function stepCondition(raised: RaisedCondition | null, value: number, at: string, band: Band): { raised: RaisedCondition | null; transition: Transition } {
  const v = settle(value);
  if (raised === null) {
    const reached = band.direction === 'above' ? v >= band.raise : v <= band.raise;
    return reached ? { raised: { at, worst: value }, transition: { kind: 'raise' } } : { raised: null, transition: null };
  }
  const past = band.direction === 'above' ? v < band.clear : v > band.clear;
  if (past) return { raised: null, transition: { kind: 'clear', episode: raised } };
  return { raised: isWorse(band.direction, value, raised.worst) ? { at: raised.at, worst: value } : raised, transition: null };
}
