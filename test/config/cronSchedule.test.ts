import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CronError, nextCronFire, parseCron, utcOffsetOfZone, type UtcOffsetOf } from '../../src/config/cronSchedule';
import { ROOT } from '../support/baristaProcess';

const utc: UtcOffsetOf = () => 0;
const berlin = utcOffsetOfZone('Europe/Berlin');
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace(':00.000Z', 'Z'));
/** The next n fire times after `from`, as ISO strings without seconds. */
function fires(expression: string, from: string, n: number, offsetOf: UtcOffsetOf): (string | null)[] {
  const schedule = parseCron(expression);
  const out: (string | null)[] = [];
  let after = Date.parse(from);
  for (let i = 0; i < n; i += 1) {
    const next = nextCronFire(schedule, after, offsetOf);
    out.push(iso(next));
    if (next === null) break;
    after = next;
  }
  return out;
}

describe('parseCron', () => {
  it('reads *, values, lists, ranges and steps', () => {
    const schedule = parseCron('*/15 9-17/4 1,15 * 1-5');
    expect(schedule.minutes).toEqual([0, 15, 30, 45]);
    expect(schedule.hours).toEqual([9, 13, 17]);
    expect([...schedule.daysOfMonth]).toEqual([1, 15]);
    expect(schedule.months.size).toBe(12);
    expect([...schedule.daysOfWeek].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(schedule).toMatchObject({ dayOfMonthRestricted: true, dayOfWeekRestricted: true });
  });

  it('reads "start/step" as start to the end, names in any case, and 7 as Sunday', () => {
    const schedule = parseCron('5/20 0 * jan,Jul-sep sun,7,SAT');
    expect(schedule.minutes).toEqual([5, 25, 45]);
    expect([...schedule.months].sort((a, b) => a - b)).toEqual([1, 7, 8, 9]);
    expect([...schedule.daysOfWeek].sort()).toEqual([0, 6]);
    expect(parseCron('0 0 * * */2').daysOfWeek).toEqual(new Set([0, 2, 4, 6]));
  });

  it('counts a field starting with * as unrestricted (for the day-of-month / day-of-week rule)', () => {
    expect(parseCron('0 0 */2 * *')).toMatchObject({ dayOfMonthRestricted: false, dayOfWeekRestricted: false });
  });

  it.each([
    ['0 9 * *', 'cron "0 9 * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4', undefined],
    ['0 9 * * * *', 'got 6', undefined],
    ['', 'got 0', undefined],
    ['60 9 * * *', 'minute field "60": 60 is out of range 0-59', 'minute'],
    ['0 24 * * *', 'hour field "24": 24 is out of range 0-23', 'hour'],
    ['0 9 0 * *', 'day-of-month field "0": 0 is out of range 1-31', 'day-of-month'],
    ['0 9 * 13 *', 'month field "13": 13 is out of range 1-12', 'month'],
    ['0 9 * * 8', 'day-of-week field "8": 8 is out of range 0-7', 'day-of-week'],
    ['0 9 * FOO *', 'month field "FOO": "FOO" is not a number or a name (JAN…)', 'month'],
    ['x 9 * * *', 'minute field "x": "x" is not a number', 'minute'],
    ['*/0 9 * * *', 'minute field "*/0": step "0" must be a whole number of at least 1', 'minute'],
    ['0 17-9 * * *', 'hour field "17-9": range 17-9 is backwards (write the smaller value first)', 'hour'],
    ['0 9 1,,2 * *', 'day-of-month field "1,,2": empty list item', 'day-of-month'],
    ['0 9 1-2-3 * *', 'day-of-month field "1-2-3": "1-2-3" is not a range such as 1-5', 'day-of-month'],
    ['0 9 */2/3 * *', 'has more than one "/"', 'day-of-month'],
    ['0 9 30 2 *', 'never fires: no month in "2" has a day "30"', 'day-of-month'],
  ])('rejects %j, naming the field', (expression, message, field) => {
    let error: unknown;
    try {
      parseCron(expression);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CronError);
    expect((error as CronError).message).toContain(message);
    expect((error as CronError).field).toBe(field);
  });

  it('accepts February 30 when a day of the week can fire instead', () => {
    expect(() => parseCron('0 9 30 2 1')).not.toThrow();
  });
});

describe('nextCronFire (UTC)', () => {
  it('fires strictly after the given time', () => {
    expect(fires('0 9 * * *', '2026-02-09T08:59:59Z', 3, utc)).toEqual(['2026-02-09T09:00Z', '2026-02-10T09:00Z', '2026-02-11T09:00Z']);
    expect(fires('0 9 * * *', '2026-02-09T09:00:00Z', 1, utc)).toEqual(['2026-02-10T09:00Z']);
  });

  it('steps through minutes and hours', () => {
    expect(fires('*/20 9-10 * * *', '2026-02-09T09:10Z', 5, utc)).toEqual(['2026-02-09T09:20Z', '2026-02-09T09:40Z', '2026-02-09T10:00Z', '2026-02-09T10:20Z', '2026-02-09T10:40Z']);
  });

  it('skips days of the week not listed (2026-02-13 is a Friday)', () => {
    expect(fires('0 9 * * MON-FRI', '2026-02-13T10:00Z', 2, utc)).toEqual(['2026-02-16T09:00Z', '2026-02-17T09:00Z']);
  });

  it('fires on either a listed day of the month or a listed day of the week when both are restricted', () => {
    // The 13th, or any Friday: Fri 13 Feb, Fri 20, Fri 27, Fri 6 Mar, Fri 13 Mar (both).
    expect(fires('0 0 13 * 5', '2026-02-12T00:00Z', 5, utc)).toEqual(['2026-02-13T00:00Z', '2026-02-20T00:00Z', '2026-02-27T00:00Z', '2026-03-06T00:00Z', '2026-03-13T00:00Z']);
  });

  it('finds February 29 years ahead and skips 31 in short months', () => {
    expect(fires('0 12 29 2 *', '2026-02-09T00:00Z', 2, utc)).toEqual(['2028-02-29T12:00Z', '2032-02-29T12:00Z']);
    expect(fires('0 0 31 * *', '2026-04-01T00:00Z', 2, utc)).toEqual(['2026-05-31T00:00Z', '2026-07-31T00:00Z']);
  });

  it('uses the zone it is given, e.g. a fixed +05:30', () => {
    expect(fires('0 9 * * *', '2026-02-09T00:00Z', 1, () => 330)).toEqual(['2026-02-09T03:30Z']);
  });
});

describe('nextCronFire across daylight saving time (Europe/Berlin)', () => {
  it('knows the zone: CET is +60, CEST is +120, changing at 01:00 UTC', () => {
    expect(berlin(Date.parse('2026-03-29T00:59:59Z'))).toBe(60);
    expect(berlin(Date.parse('2026-03-29T01:00:00Z'))).toBe(120);
    expect(berlin(Date.parse('2026-10-25T00:59:59Z'))).toBe(120);
    expect(berlin(Date.parse('2026-10-25T01:00:00Z'))).toBe(60);
  });

  it('keeps 09:00 local through spring-forward and fall-back', () => {
    expect(fires('0 9 * * *', '2026-03-27T12:00Z', 3, berlin)).toEqual(['2026-03-28T08:00Z', '2026-03-29T07:00Z', '2026-03-30T07:00Z']);
    expect(fires('0 9 * * *', '2026-10-24T12:00Z', 2, berlin)).toEqual(['2026-10-25T08:00Z', '2026-10-26T08:00Z']);
  });

  it('skips a local time that does not exist (02:30 on 29 March 2026)', () => {
    expect(fires('30 2 * * *', '2026-03-27T12:00Z', 3, berlin)).toEqual(['2026-03-28T01:30Z', '2026-03-30T00:30Z', '2026-03-31T00:30Z']);
    // Every half hour: 01:30 CET, then 03:00 CEST; 02:00 and 02:30 never happen.
    expect(fires('*/30 * * * *', '2026-03-29T00:15Z', 3, berlin)).toEqual(['2026-03-29T00:30Z', '2026-03-29T01:00Z', '2026-03-29T01:30Z']);
  });

  it('fires a local time that happens twice once, at its first occurrence (02:30 on 25 October 2026)', () => {
    expect(fires('30 2 * * *', '2026-10-24T12:00Z', 2, berlin)).toEqual(['2026-10-25T00:30Z', '2026-10-26T01:30Z']);
    // Every half hour: 02:00 and 02:30 CEST, then the repeated 02:00–02:59 CET is quiet, then 03:00 CET.
    expect(fires('*/30 * * * *', '2026-10-24T23:45Z', 4, berlin)).toEqual(['2026-10-25T00:00Z', '2026-10-25T00:30Z', '2026-10-25T02:00Z', '2026-10-25T02:30Z']);
  });

  it('does not fire again when asked from inside the repeated hour', () => {
    // 01:40 UTC is 02:40 CET, the second 02:40 of the night; 02:30 already fired at 00:30 UTC.
    expect(fires('30 2 * * *', '2026-10-25T01:40Z', 1, berlin)).toEqual(['2026-10-26T01:30Z']);
  });

  it('the default zone is the process’s (TZ), seen from a child process', () => {
    // jest's process.env is a copy: the zone must be set where the process starts.
    const script = [
      `const { nextCronFire, parseCron, systemUtcOffset } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'config', 'cronSchedule.js'))});`,
      `const at = ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z'].map((t) => systemUtcOffset(Date.parse(t)));`,
      `const next = new Date(nextCronFire(parseCron('30 2 * * *'), Date.parse('2026-03-28T12:00:00Z'))).toISOString();`,
      'process.stdout.write(JSON.stringify({ at, next }));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, TZ: 'Europe/Berlin' }, encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ at: [60, 120], next: '2026-03-30T00:30:00.000Z' });
  });
});
