/**
 * Digest ticks on virtual time. The TestScheduler's clock starts at 0, so a thin adapter adds a
 * real epoch (and, for one test, a clock jump) to its now().
 */
import type { SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { utcOffsetOfZone } from '../../../src/config/cronSchedule';
import { digestSchedule, type DigestTick } from '../../../src/streams/notify/digestSchedule';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const berlin = utcOffsetOfZone('Europe/Berlin');

interface Seen extends DigestTick {
  /** Wall-clock time (epoch ms as the adapter reports it) when the tick came. */
  seenAt: string;
}

function run(digests: Parameters<typeof digestSchedule>[0], startIso: string, durationMs: number, options: { jumpAtMs?: number; jumpByMs?: number; maxTimerMs?: number } = {}): Seen[] {
  const seen: Seen[] = [];
  const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const start = Date.parse(startIso);
  test.run(() => {
    const jump = () => (options.jumpAtMs !== undefined && test.now() >= options.jumpAtMs ? (options.jumpByMs ?? 0) : 0);
    const scheduler: SchedulerLike = { now: () => start + test.now() + jump(), schedule: test.schedule.bind(test) as SchedulerLike['schedule'] };
    const subscription = digestSchedule(digests, scheduler, { utcOffset: berlin, ...(options.maxTimerMs ? { maxTimerMs: options.maxTimerMs } : {}) }).subscribe((tick) =>
      seen.push({ ...tick, seenAt: new Date(scheduler.now()).toISOString() }),
    );
    test.schedule(() => subscription.unsubscribe(), durationMs);
  });
  return seen;
}

const daily = { id: 'daily-portfolio', schedule: '0 9 * * *', mode: 'on' as const };

describe('digestSchedule', () => {
  it('ticks at 09:00 local every day, on time, through spring-forward', () => {
    const seen = run([daily], '2026-03-27T12:00:00Z', 3 * D);
    expect(seen).toEqual([
      { digestId: 'daily-portfolio', at: '2026-03-28T08:00:00.000Z', seenAt: '2026-03-28T08:00:00.000Z' },
      { digestId: 'daily-portfolio', at: '2026-03-29T07:00:00.000Z', seenAt: '2026-03-29T07:00:00.000Z' },
      { digestId: 'daily-portfolio', at: '2026-03-30T07:00:00.000Z', seenAt: '2026-03-30T07:00:00.000Z' },
    ]);
  });

  it('interleaves several digests and never ticks one that is off', () => {
    const seen = run(
      [daily, { id: 'hourly', schedule: '30 */6 * * *', mode: 'silent' }, { id: 'disabled', schedule: '* * * * *', mode: 'off' }],
      '2026-02-09T00:00:00Z',
      D,
    );
    expect(seen.map((t) => `${t.digestId}@${t.at.slice(11, 16)}`)).toEqual(['hourly@05:30', 'daily-portfolio@08:00', 'hourly@11:30', 'hourly@17:30', 'hourly@23:30']);
  });

  it('waits longer than one timer allows (a monthly digest), arriving exactly on time', () => {
    const seen = run([{ id: 'monthly', schedule: '0 9 1 * *', mode: 'on' }], '2026-01-15T00:00:00Z', 50 * D, { maxTimerMs: H });
    expect(seen.map((t) => [t.at, t.seenAt])).toEqual([
      ['2026-02-01T08:00:00.000Z', '2026-02-01T08:00:00.000Z'],
      ['2026-03-01T08:00:00.000Z', '2026-03-01T08:00:00.000Z'],
    ]);
  });

  it('after a clock jump (the machine slept two days), ticks once for what was missed, then resumes', () => {
    // At 07:30 UTC on 9 Feb the clock jumps 50 hours ahead; the timer armed for 08:00 UTC then
    // wakes at what the clock calls 10:00 UTC on 11 Feb. Missed: 9, 10 and 11 Feb.
    // 3 days of virtual time end at 09:00 UTC on 14 Feb by the jumped clock.
    const seen = run([daily], '2026-02-09T07:00:00Z', 3 * D, { jumpAtMs: 30 * M, jumpByMs: 50 * H });
    expect(seen.map((t) => [t.at, t.seenAt])).toEqual([
      ['2026-02-09T08:00:00.000Z', '2026-02-11T10:00:00.000Z'],
      ['2026-02-12T08:00:00.000Z', '2026-02-12T08:00:00.000Z'],
      ['2026-02-13T08:00:00.000Z', '2026-02-13T08:00:00.000Z'],
      ['2026-02-14T08:00:00.000Z', '2026-02-14T08:00:00.000Z'],
    ]);
  });

  it('stops ticking when unsubscribed', () => {
    expect(run([daily], '2026-02-09T07:00:00Z', 30 * M)).toEqual([]);
  });

  it('refuses an invalid schedule with the cron error', () => {
    expect(() => digestSchedule([{ id: 'bad', schedule: '0 25 * * *', mode: 'on' }])).toThrow('hour field "25": 25 is out of range 0-23');
  });
});
