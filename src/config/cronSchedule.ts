/**
 * Cron schedules in local time for scheduled digests: `minute hour day-of-month month day-of-week`
 * with `*`, numbers, lists (`1,15`), ranges (`1-5`), steps (`*\/15`, `0-30/10`, `5/20` = 5-max/20),
 * month names (JAN–DEC) and day names (SUN–SAT; 0 and 7 are Sunday). As in Vixie cron, when both
 * day-of-month and day-of-week are restricted (neither starts with `*`), a day matching either fires.
 *
 * Daylight saving time: a local time that does not exist (skipped by a spring-forward) does not
 * fire; a local time that happens twice (fall-back) fires once, at its first occurrence.
 * The local time zone is a function (UTC instant → offset), so tests can use any zone.
 */

export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

export class CronError extends Error {
  constructor(
    message: string,
    readonly field?: CronFieldName,
  ) {
    super(message);
    this.name = 'CronError';
  }
}

export interface CronSchedule {
  expression: string;
  /** Sorted. */
  minutes: readonly number[];
  /** Sorted. */
  hours: readonly number[];
  daysOfMonth: ReadonlySet<number>;
  /** 1–12. */
  months: ReadonlySet<number>;
  /** 0–6, Sunday = 0. */
  daysOfWeek: ReadonlySet<number>;
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

interface FieldSpec {
  name: CronFieldName;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES },
];
/** Longest month length per month (February 29 in leap years). */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseValue(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) fail(`${value} is out of range ${spec.min}-${spec.max}`);
    return value;
  }
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return spec.name === 'month' ? named + 1 : named;
  fail(`"${text}" is not a number${spec.names ? ` or a name (${spec.names[0]}…)` : ''}`);
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const fail = (why: string): never => {
    throw new CronError(`cron "${expression}": ${spec.name} field "${text}": ${why}`, spec.name);
  };
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') fail('empty list item');
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) fail(`"${item}" has more than one "/"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) fail(`step "${stepText}" must be a whole number of at least 1`);
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (range === '*') {
      low = spec.min;
      high = spec.name === 'day-of-week' ? 6 : spec.max;
    } else if (range.includes('-')) {
      const [from, to, more] = range.split('-');
      if (more !== undefined || from === '' || to === '') fail(`"${range}" is not a range such as 1-5`);
      low = parseValue(from, spec, fail);
      high = parseValue(to, spec, fail);
      if (low > high) fail(`range ${range} is backwards (write the smaller value first)`);
    } else {
      if (range === '') fail(`"${item}" has no value before "/"`);
      low = parseValue(range, spec, fail);
      // "5/20" means from 5 to the end in steps of 20; a lone value is just itself.
      high = stepText !== undefined ? (spec.name === 'day-of-week' ? 6 : spec.max) : low;
    }
    for (let v = low; v <= high; v += step) values.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return values;
}

/** Parses a 5-field cron expression; throws CronError naming the offending field. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 5) {
    throw new CronError(`cron "${expression}": expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parts.map((part, i) => parseField(part, FIELDS[i], expression));
  const schedule: CronSchedule = {
    expression,
    minutes: [...minutes].sort((a, b) => a - b),
    hours: [...hours].sort((a, b) => a - b),
    daysOfMonth,
    months,
    daysOfWeek,
    dayOfMonthRestricted: !parts[2].startsWith('*'),
    dayOfWeekRestricted: !parts[4].startsWith('*'),
  };
  const dayOfMonthOnly = schedule.dayOfMonthRestricted && !schedule.dayOfWeekRestricted;
  if (dayOfMonthOnly && ![...months].some((month) => [...daysOfMonth].some((day) => day <= MAX_DAYS[month - 1]))) {
    throw new CronError(`cron "${expression}": never fires: no month in "${parts[3]}" has a day "${parts[2]}"`, 'day-of-month');
  }
  return schedule;
}

/** Offset of local time from UTC, in minutes east (CET = 60), at a UTC instant (epoch ms). */
export type UtcOffsetOf = (utcMs: number) => number;

/** The zone barista runs in (the TZ environment variable, else the system's). */
export const systemUtcOffset: UtcOffsetOf = (utcMs) => 0 - new Date(utcMs).getTimezoneOffset();

/** An IANA zone such as "Europe/Berlin", through Intl (full ICU, as Node ships). */
export function utcOffsetOfZone(timeZone: string): UtcOffsetOf {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  return (utcMs) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(utcMs))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Far enough for any satisfiable schedule (February 29 can be 8 years away). */
const SEARCH_DAYS = 9 * 366;

/**
 * The first instant at which local wall time reads `wall` (wall clock fields stored as if UTC),
 * or null when that local time does not exist. Assumes at most one offset change within a day.
 */
function firstInstantOf(wall: number, offsetOf: UtcOffsetOf): number | null {
  let first: number | null = null;
  for (const offset of new Set([offsetOf(wall - DAY), offsetOf(wall + DAY)])) {
    const instant = wall - offset * MINUTE;
    if (instant + offsetOf(instant) * MINUTE === wall && (first === null || instant < first)) first = instant;
  }
  return first;
}

function dayMatches(schedule: CronSchedule, dayStart: number): boolean {
  const date = new Date(dayStart);
  if (!schedule.months.has(date.getUTCMonth() + 1)) return false;
  const byDayOfMonth = schedule.daysOfMonth.has(date.getUTCDate());
  const byDayOfWeek = schedule.daysOfWeek.has(date.getUTCDay());
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return byDayOfMonth || byDayOfWeek;
  if (schedule.dayOfMonthRestricted) return byDayOfMonth;
  if (schedule.dayOfWeekRestricted) return byDayOfWeek;
  return true;
}

/** The first time the schedule fires strictly after `afterMs` (epoch ms), or null if never. */
export function nextCronFire(schedule: CronSchedule, afterMs: number, offsetOf: UtcOffsetOf = systemUtcOffset): number | null {
  // Wall times a little before "now" in local time can still be ahead of it as instants when
  // the clock was set back (fall-back): start 3 hours early and compare instants.
  const startWall = Math.floor((afterMs + offsetOf(afterMs) * MINUTE) / MINUTE) * MINUTE - 3 * HOUR;
  const firstDay = Math.floor(startWall / DAY) * DAY;
  for (let day = firstDay; day < firstDay + SEARCH_DAYS * DAY; day += DAY) {
    if (!dayMatches(schedule, day)) continue;
    for (const hour of schedule.hours) {
      for (const minute of schedule.minutes) {
        const wall = day + hour * HOUR + minute * MINUTE;
        if (wall < startWall) continue;
        const instant = firstInstantOf(wall, offsetOf);
        if (instant !== null && instant > afterMs) return instant;
      }
    }
  }
  return null;
}
