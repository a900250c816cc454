/**
 * Simulated time, in integer microseconds since the epoch (Python datetimes carry microseconds,
 * and `isoformat()` prints them only when non-zero), and the renderings the real files use.
 */

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;

export function microsFrom(time: string | Date | number): number {
  if (typeof time === 'number') return time;
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  if (Number.isNaN(ms)) throw new Error(`not a time: ${String(time)}`);
  return ms * 1000;
}

function split(micros: number): { date: Date; fraction: number } {
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  return { date: new Date(seconds * 1000), fraction: micros - seconds * MICROS_PER_SECOND };
}

function fractionSuffix(fraction: number): string {
  return fraction === 0 ? '' : `.${String(fraction).padStart(6, '0')}`;
}

/** `datetime(..., tzinfo=timezone.utc).isoformat()`: `2026-02-09T07:02:00.183201+00:00`. */
export function isoUtc(micros: number): string {
  const { date, fraction } = split(micros);
  return `${date.toISOString().slice(0, 19)}${fractionSuffix(fraction)}+00:00`;
}

/** `str(pandas.Timestamp)` for a UTC timestamp: `2026-02-09 05:00:00+00:00`. */
export function pandasTimestamp(micros: number): string {
  const { date, fraction } = split(micros);
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)}${fractionSuffix(fraction)}+00:00`;
}

/** `strftime('%H:%M:%S')` in UTC. */
export function clockUtc(micros: number): string {
  return split(micros).date.toISOString().slice(11, 19);
}

/** Python logging `asctime` in naive local time: `2026-02-16 04:41:02,877`. */
export function loggingTime(micros: number, utcOffsetMinutes: number): string {
  const local = micros + utcOffsetMinutes * MICROS_PER_MINUTE;
  const { date, fraction } = split(local);
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${String(Math.floor(fraction / 1000)).padStart(3, '0')}`;
}

/** Start of the bar containing `micros` (bars are aligned to the epoch, as exchange bars are). */
export function barOpen(micros: number, barMicros: number): number {
  return Math.floor(micros / barMicros) * barMicros;
}

/** A simulated clock that only moves forward. */
export class SimClock {
  private current: number;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves to `micros` if that is later; never backwards. */
  advanceTo(micros: number): number {
    if (micros > this.current) this.current = micros;
    return this.current;
  }

  advanceBy(micros: number): number {
    return this.advanceTo(this.current + Math.max(0, micros));
  }
}
