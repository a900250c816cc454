/**
 * Trader heartbeats (surface.md §1.1.5): a JSON file the trader rewrites after every poll,
 * named from its CSV, with the time of the next poll. A trader is stale when that time plus a
 * grace period passes without a newer heartbeat: `trader.stale` once, `trader.recovered` once
 * when heartbeats come back.
 */
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from '../rx';
import type { EventDraft } from '../model/BaristaEvent';
import { FieldReader, isJsonObject, jsonTypeOf } from './lenientJson';

/** One heartbeat file's content; times are ISO 8601 UTC. */
export interface Heartbeat {
  timestamp: string | null;
  last_poll_completed: string | null;
  /** The one field liveness needs, so a heartbeat without it is rejected. */
  next_poll_scheduled: string;
  /** Per process, from 1. */
  poll_count: number | null;
  /** The command-line value, not the real cadence of a 1h trader: never used for staleness. */
  poll_interval: number | null;
  timeframe: string | null;
  tickers: string[];
  pid: number | null;
  /** Always "running" in the real trader; nothing writes a stopped state. */
  status: string | null;
}

export type HeartbeatParse = { ok: true; heartbeat: Heartbeat; warnings: string[] } | { ok: false; error: string };

/** Reads a parsed heartbeat document. Missing or mistyped fields become null (with a warning). */
export function parseHeartbeat(data: unknown): HeartbeatParse {
  if (!isJsonObject(data)) return { ok: false, error: `a heartbeat is a JSON object, got ${jsonTypeOf(data)}` };
  const read = new FieldReader(data);
  const next = read.timestamp('next_poll_scheduled');
  if (next === null) return { ok: false, error: `the heartbeat has no usable next_poll_scheduled (${JSON.stringify(data.next_poll_scheduled) ?? 'missing'}), so its liveness cannot be judged` };
  const heartbeat: Heartbeat = {
    timestamp: read.timestamp('timestamp'),
    last_poll_completed: read.timestamp('last_poll_completed'),
    next_poll_scheduled: next,
    poll_count: read.integer('poll_count'),
    poll_interval: read.number('poll_interval'),
    timeframe: read.string('timeframe'),
    tickers: read.stringList('tickers'),
    pid: read.integer('pid'),
    status: read.string('status'),
  };
  return { ok: true, heartbeat, warnings: read.warnings };
}

/** A heartbeat read from a trader's file. */
export interface HeartbeatReading {
  /** The trader's one name (streams/traderIdentity.ts). */
  trader: string;
  /** The heartbeat file (workspace-relative): liveness is per file, so a trader renamed
   * mid-way (its process seen later) keeps one clock. Default: the trader. */
  file?: string;
  heartbeat: Heartbeat;
}

/** An event draft that already knows what it is about. */
export type TraderEventDraft = EventDraft & { subject: string };

export interface HeartbeatLivenessOptions {
  /** How long after next_poll_scheduled a trader may be late (rules.yaml `stale_grace`). */
  graceMs?: number;
  /** Time source and timer; tests pass a TestScheduler. */
  scheduler?: SchedulerLike;
}

export const DEFAULT_STALE_GRACE_MS = 5 * 60_000;

/** When a trader with this latest heartbeat becomes stale (epoch ms): its next poll plus the grace. */
export function heartbeatDeadlineMs(heartbeat: Heartbeat, graceMs: number = DEFAULT_STALE_GRACE_MS): number {
  return Date.parse(heartbeat.next_poll_scheduled) + graceMs;
}

interface TraderLiveness {
  /** The name of the latest reading. */
  trader: string;
  file: string | null;
  latest: Heartbeat;
  deadlineMs: number;
  stale: boolean;
  staleSinceMs: number;
  timer: Subscription | null;
  /** True while a stale check is scheduled and has not run (the timer may run synchronously). */
  armed: boolean;
}

/**
 * `trader.stale` once when `scheduler.now()` passes next_poll_scheduled + grace without a newer
 * heartbeat of that trader, and `trader.recovered` once when a newer one then arrives. Traders
 * are independent. A re-read of the same heartbeat (or an older one) changes nothing. A heartbeat
 * already past its deadline when read (barista started late) is stale at once.
 * Completes when the input has completed and no stale check is pending.
 */
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function heartbeatLiveness(readings$: Observable<HeartbeatReading>, options: HeartbeatLivenessOptions = {}): Observable<TraderEventDraft> {
  const graceMs = options.graceMs ?? DEFAULT_STALE_GRACE_MS;
  const scheduler = options.scheduler ?? asyncScheduler;

  return new Observable<TraderEventDraft>((subscriber) => {
    const traders = new Map<string, TraderLiveness>();
    let inputDone = false;
    const completeIfIdle = () => {
      if (inputDone && [...traders.values()].every((t) => !t.armed)) subscriber.complete();
    };

    const arm = (liveness: TraderLiveness) => {
      liveness.timer?.unsubscribe();
      liveness.armed = true;
      // setTimeout fires at once for delays past 2^31-1 ms (24.8 days): a heartbeat announcing a
      // poll further out than that (clock skew, a test's fast clock) would be called stale at
      // once. Such a check wakes at the longest delay and looks again.
      liveness.timer = scheduler.schedule(() => {
        if (scheduler.now() < liveness.deadlineMs) {
          arm(liveness);
          return;
        }
        liveness.armed = false;
        liveness.stale = true;
        liveness.staleSinceMs = scheduler.now();
        subscriber.next(staleDraft(liveness, graceMs, scheduler.now()));
        completeIfIdle();
      }, Math.min(MAX_TIMER_MS, Math.max(0, liveness.deadlineMs - scheduler.now())));
    };

    const accept = ({ trader, file, heartbeat }: HeartbeatReading) => {
      const deadlineMs = heartbeatDeadlineMs(heartbeat, graceMs);
      const key = file ?? trader;
      const known = traders.get(key);
      if (!known) {
        const liveness: TraderLiveness = { trader, file: file ?? null, latest: heartbeat, deadlineMs, stale: false, staleSinceMs: 0, timer: null, armed: false };
        traders.set(key, liveness);
        arm(liveness);
        return;
      }
      if (!isNewer(heartbeat, known.latest)) return;
      known.trader = trader;
      const previous = known.latest;
      known.latest = heartbeat;
      known.deadlineMs = deadlineMs;
      if (known.stale) {
        // Newer, but itself already overdue (barista was away): still stale, and one stale
        // event per outage is enough; recovery needs a heartbeat that is on time.
        if (deadlineMs <= scheduler.now()) return;
        known.stale = false;
        subscriber.next(recoveredDraft(known, previous, scheduler.now() - known.staleSinceMs, scheduler.now()));
      }
      arm(known);
    };

    const input = readings$.subscribe({
      next: accept,
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        inputDone = true;
        completeIfIdle();
      },
    });
    return () => {
      input.unsubscribe();
      for (const liveness of traders.values()) liveness.timer?.unsubscribe();
    };
  });
}

/** Ordered by when the poll completed, then by the next poll: the same content is not newer. */
function isNewer(candidate: Heartbeat, known: Heartbeat): boolean {
  const written = (h: Heartbeat) => h.last_poll_completed ?? h.timestamp;
  const a = written(candidate);
  const b = written(known);
  if (a !== null && b !== null && a !== b) return Date.parse(a) > Date.parse(b);
  return Date.parse(candidate.next_poll_scheduled) > Date.parse(known.next_poll_scheduled);
}

const seconds = (ms: number) => Math.round(ms / 1000);
const clock = (iso: string | null) => (iso === null ? 'an unknown time' : `${iso.slice(0, 19).replace('T', ' ')} UTC`);
const minutes = (s: number) => (s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`);

/** What every liveness event says about the heartbeat it is about. */
function heartbeatFields({ trader, file, latest: heartbeat }: TraderLiveness): Record<string, unknown> & { last_poll: string | null } {
  const last_poll = heartbeat.last_poll_completed ?? heartbeat.timestamp;
  return {
    trader,
    ...(file !== null ? { file } : {}),
    last_poll,
    next_poll_scheduled: heartbeat.next_poll_scheduled,
    pid: heartbeat.pid,
    poll_count: heartbeat.poll_count,
    // Identifies the heartbeat: a deterministic event id can use it.
    heartbeat_at: heartbeat.timestamp ?? last_poll ?? heartbeat.next_poll_scheduled,
  };
}

function staleDraft(liveness: TraderLiveness, graceMs: number, nowMs: number): TraderEventDraft {
  const { trader, latest: heartbeat } = liveness;
  const overdue_s = seconds(nowMs - Date.parse(heartbeat.next_poll_scheduled));
  const fields = heartbeatFields(liveness);
  return {
    type: 'trader.stale',
    severity: 'warning',
    subject: trader,
    at: new Date(nowMs).toISOString(),
    fields: { ...fields, overdue_s, grace_s: seconds(graceMs), timeframe: heartbeat.timeframe },
    text: `${trader} is stale: last poll at ${clock(fields.last_poll)}, the poll due at ${clock(heartbeat.next_poll_scheduled)} is ${minutes(overdue_s)} overdue (pid ${heartbeat.pid ?? '?'}, poll #${heartbeat.poll_count ?? '?'}).`,
  };
}

function recoveredDraft(liveness: TraderLiveness, previous: Heartbeat, staleForMs: number, nowMs: number): TraderEventDraft {
  const { trader, latest: heartbeat } = liveness;
  const fields = heartbeatFields(liveness);
  const restarted = heartbeat.pid !== null && previous.pid !== null && heartbeat.pid !== previous.pid;
  return {
    type: 'trader.recovered',
    severity: 'info',
    subject: trader,
    at: new Date(nowMs).toISOString(),
    fields: { ...fields, previous_pid: previous.pid, restarted, stale_for_s: seconds(staleForMs) },
    text: `${trader} is polling again${restarted ? ` (new pid ${heartbeat.pid}, was ${previous.pid})` : ''}: last poll at ${clock(fields.last_poll)}, next due at ${clock(heartbeat.next_poll_scheduled)}.`,
  };
}
