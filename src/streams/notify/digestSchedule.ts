/**
 * Ticks for scheduled digests (rules.yaml `notify.digests`): one `{ digestId, at }` each time a
 * digest's cron schedule fires, on an injectable scheduler. Digests with `mode: off` never tick.
 *
 * Timers are armed for at most `maxTimerMs` (1 h) at a time and the due time is checked against
 * the scheduler's clock on every wake: long waits stay within what setTimeout can do, and a
 * clock that jumps (suspend, NTP) is noticed. A fire is never repeated: the next one is looked
 * for after the later of the fire time and now, so fires missed while the machine slept are
 * skipped rather than sent in a burst.
 */
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from '../../rx';
import type { DigestConfig } from '../../config/schema';
import { nextCronFire, parseCron, systemUtcOffset, type UtcOffsetOf } from '../../config/cronSchedule';

export interface DigestTick {
  digestId: string;
  /** The scheduled fire time, ISO 8601 UTC. */
  at: string;
}

export interface DigestScheduleOptions {
  /** Local time zone; default the process's (TZ). */
  utcOffset?: UtcOffsetOf;
  /** Longest single timer. Default 1 hour. */
  maxTimerMs?: number;
}

/** Throws CronError for an invalid schedule (rules.yaml validation reports those first). */
export function digestSchedule(digests: readonly Pick<DigestConfig, 'id' | 'schedule' | 'mode'>[], scheduler: SchedulerLike = asyncScheduler, options: DigestScheduleOptions = {}): Observable<DigestTick> {
  const offsetOf = options.utcOffset ?? systemUtcOffset;
  const maxTimerMs = options.maxTimerMs ?? 3_600_000;
  const active = digests.filter((d) => d.mode !== 'off').map((d) => ({ id: d.id, schedule: parseCron(d.schedule) }));

  return new Observable<DigestTick>((subscriber) => {
    const timers = new Map<string, Subscription>();
    for (const digest of active) {
      const arm = (dueMs: number | null) => {
        if (dueMs === null) return; // never fires again (e.g. only on a date that never comes)
        const wait = Math.max(0, Math.min(dueMs - scheduler.now(), maxTimerMs));
        timers.set(
          digest.id,
          scheduler.schedule(() => {
            const now = scheduler.now();
            if (now < dueMs) return arm(dueMs);
            subscriber.next({ digestId: digest.id, at: new Date(dueMs).toISOString() });
            arm(nextCronFire(digest.schedule, Math.max(dueMs, now), offsetOf));
          }, wait),
        );
      };
      arm(nextCronFire(digest.schedule, scheduler.now(), offsetOf));
    }
    return () => {
      for (const timer of timers.values()) timer.unsubscribe();
    };
  });
}
