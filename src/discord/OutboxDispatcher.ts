/**
 * Drains the outbox into the sinks. One lane per destination: at most one send in flight on
 * it, strictly in outbox order (a row waiting for its retry holds back the rows behind it);
 * lanes run in parallel. Every outcome is written to the row before the lane moves on, and the
 * next attempt time lives in the row, so a restart resumes exactly where the last run stopped.
 *
 * A destination Discord refuses (revoked token, deleted webhook, missing permission) is a state of
 * the lane, not of a message: its rows stay pending, one alarm is raised (`onRefused`), the head
 * is tried again every `probeIntervalMs` and at once on the next start (a rules reload restarts
 * the dispatcher), and the backlog goes out in order once Discord accepts again.
 */
import { createHash } from 'node:crypto';
import { silentLogger, type Logger } from '../logging/logger';
import { redactSecrets } from '../logging/redactSecrets';
import type { DestinationRefusal, OutboxRow, OutboxStore } from '../state/OutboxStore';
import { renderBacklogDigest, type HeldBackMessage } from './backlogDigest';
import type { DiscordMessage } from './DiscordMessage';
import type { SendOutcome, Sink } from './sinks/Sink';

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };
export const DEFAULT_COLLAPSE_THRESHOLD = 5;

/** setTimeout/clearTimeout, injectable for tests; the defaults look the globals up at call time (jest fake timers). */
export interface DispatcherTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface OutboxDispatcherOptions {
  store: OutboxStore<DiscordMessage>;
  /** Destination key (the outbox row's channel) → sink. */
  sinks: ReadonlyMap<string, Sink>;
  logger?: Logger;
  now?: () => number;
  timers?: DispatcherTimers;
  /** Uniform in [0, 1): the jitter. */
  random?: () => number;
  backoff?: Partial<BackoffPolicy>;
  /** More pending rows than this of one group on one destination collapse into a digest. Infinity turns it off. */
  collapseThreshold?: number;
  /** Called after each outcome has been written to the row (metrics, tests). */
  onOutcome?: (row: OutboxRow<DiscordMessage>, outcome: SendOutcome) => void;
  /** While Discord refuses a destination, how often its head is tried again; default 5 min. */
  probeIntervalMs?: number;
  /** The notify.channels a destination delivers (named in the alarm). */
  channelsOf?: (destination: string) => string[];
  /** Discord began refusing a destination: once per episode, after it was recorded. */
  onRefused?: (refusal: DestinationRefusal, waiting: number) => void;
}

export const DEFAULT_PROBE_INTERVAL_MS = 5 * 60_000;

/**
 * Delay before attempt number `attempt` + 1, after `attempt` failures: "full jitter" —
 * uniform in [0, min(cap, base·2^(attempt-1))) — or the server's retry-after when that is longer.
 */
export function retryDelayMs(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs !== undefined && retryAfterMs > jittered ? Math.ceil(retryAfterMs) : jittered;
}

/** Discord nonce for a row (≤ 25 chars), the same on every retry and after a restart. */
export function outboxNonce(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 25);
}

/** Most rows looked at for one digest: more than one Discord message can list anyway. */
const DIGEST_CANDIDATES = 500;

function heldBack(row: OutboxRow<DiscordMessage>): HeldBackMessage {
  return { message: row.payload, at: row.createdAt };
}
/** setTimeout's largest delay; a lane waiting longer simply wakes, finds its head not due, and waits again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Lane {
  destination: string;
  /** A drain loop is running (possibly awaiting a send). */
  busy: boolean;
  timer: unknown;
  done: Promise<void>;
  /** When the lane's current run of failures began (for one warning per outage). */
  failingSince: number | null;
  /** Discord refuses this destination (as recorded in the store). */
  refused: DestinationRefusal | null;
}

export class OutboxDispatcher {
  private readonly store: OutboxStore<DiscordMessage>;
  private readonly sinks: ReadonlyMap<string, Sink>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly timers: DispatcherTimers;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly collapseThreshold: number;
  private readonly onOutcome: OutboxDispatcherOptions['onOutcome'];
  private readonly probeIntervalMs: number;
  private readonly channelsOf: (destination: string) => string[];
  private readonly onRefused: OutboxDispatcherOptions['onRefused'];
  private readonly lanes = new Map<string, Lane>();
  private readonly warnedNoSink = new Set<string>();
  private running = false;

  constructor(options: OutboxDispatcherOptions) {
    this.store = options.store;
    this.sinks = options.sinks;
    this.logger = options.logger ?? silentLogger();
    this.now = options.now ?? (() => Date.now());
    this.timers = options.timers ?? { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };
    this.random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.collapseThreshold = options.collapseThreshold ?? DEFAULT_COLLAPSE_THRESHOLD;
    this.onOutcome = options.onOutcome;
    this.probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.channelsOf = options.channelsOf ?? (() => []);
    this.onRefused = options.onRefused;
  }

  /**
   * Starts delivering, resuming whatever is pending (in order, retry times as stored). A refused
   * destination is tried at once: this start may come with new credentials.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.retryRefused();
  }

  /** Tries every refused destination now (a reload: the fix may be on Discord's side), and resumes the rest. */
  retryRefused(): void {
    if (!this.running) return;
    const now = this.now();
    for (const refusal of this.store.refusedDestinations()) {
      if (this.sinks.has(refusal.destination)) this.store.retryNow(refusal.destination, now);
    }
    for (const destination of this.store.pendingDestinations()) this.wake(destination);
  }

  /** New rows were committed: wake their destinations (all destinations with pending rows when none is named). */
  notify(destinations?: string | readonly string[]): void {
    if (!this.running) return;
    const names = destinations === undefined ? this.store.pendingDestinations() : typeof destinations === 'string' ? [destinations] : destinations;
    for (const destination of names) this.wake(destination);
  }

  /** Stops sending: no new attempts; sends in flight finish and their outcome is recorded. Sinks stay open (the caller owns them). */
  async stop(): Promise<void> {
    this.running = false;
    for (const lane of this.lanes.values()) this.disarm(lane);
    await Promise.all([...this.lanes.values()].map((lane) => lane.done));
  }

  /** Destinations with a send in flight right now. */
  get sending(): string[] {
    return [...this.lanes.values()].filter((lane) => lane.busy).map((lane) => lane.destination);
  }

  private wake(destination: string): void {
    let lane = this.lanes.get(destination);
    if (!lane) {
      const refused = this.store.refusedDestinations().find((r) => r.destination === destination) ?? null;
      lane = { destination, busy: false, timer: null, done: Promise.resolve(), failingSince: null, refused };
      this.lanes.set(destination, lane);
    }
    // A running loop re-reads the head after each send: it will see the new rows.
    if (lane.busy) return;
    this.disarm(lane);
    lane.busy = true;
    lane.done = this.drain(lane);
  }

  private async drain(lane: Lane): Promise<void> {
    try {
      const sink = this.sinks.get(lane.destination);
      if (!sink) {
        if (!this.warnedNoSink.has(lane.destination)) {
          this.warnedNoSink.add(lane.destination);
          this.logger.warn({ destination: lane.destination }, 'outbox rows wait for a destination that is not configured; they stay pending');
        }
        return;
      }
      while (this.running) {
        const now = this.now();
        this.store.expire(now);
        this.collapseBacklogs(lane.destination, now);
        const head = this.store.head(lane.destination, now);
        if (!head) return;
        if (head.nextAttemptAt > now) {
          // Blocked behind its retry; wake then, or when it expires and the rows behind may go.
          this.arm(lane, Math.min(head.nextAttemptAt, head.expiresAt ?? Infinity) - now);
          return;
        }
        await this.deliver(lane, sink, head);
      }
    } catch (error) {
      this.logger.error({ err: error, destination: lane.destination }, 'outbox dispatch failed; trying again shortly');
      this.arm(lane, this.backoff.baseMs);
    } finally {
      lane.busy = false;
    }
  }

  private async deliver(lane: Lane, sink: Sink, row: OutboxRow<DiscordMessage>): Promise<void> {
    let outcome: SendOutcome;
    // Written first: if barista dies during the send, the next start knows Discord may have it.
    this.store.markSending(row.seq);
    try {
      outcome = await sink.send(row.payload, { nonce: outboxNonce(row.idempotencyKey) });
    } catch (error) {
      // Sinks promise never to throw; one that does gets the benefit of the doubt.
      outcome = { status: 'retry', error: (error as Error)?.message ?? String(error) };
    }
    const now = this.now();
    if (outcome.status === 'sent') {
      this.store.markSent(row.seq, now, outcome.messageId);
      if (lane.failingSince !== null) {
        this.logger.info({ destination: lane.destination, afterMs: now - lane.failingSince }, 'destination reachable again; delivering the held-back messages');
        lane.failingSince = null;
      }
      if (lane.refused !== null) {
        const waiting = this.store.counts(lane.destination).pending;
        this.logger.warn({ destination: lane.destination, afterMs: now - lane.refused.since, waiting }, `Discord accepts ${lane.destination} again; delivering the ${waiting} held-back message(s) in order`);
        this.store.clearRefused(lane.destination);
        lane.refused = null;
      }
    } else if (outcome.status === 'retry') {
      const attempt = row.attempts + 1;
      const delay = retryDelayMs(attempt, this.random, this.backoff, outcome.retryAfterMs);
      const error = redactSecrets(outcome.error);
      this.store.markRetry(row.seq, now, now + delay, error);
      if (lane.failingSince === null) {
        lane.failingSince = now;
        this.logger.warn({ destination: lane.destination, seq: row.seq, error }, 'cannot deliver to this destination; retrying with backoff, later messages wait in order');
      } else this.logger.debug({ destination: lane.destination, seq: row.seq, attempt, delayMs: delay, error }, 'delivery failed again');
    } else if (outcome.status === 'refused') {
      this.holdRefused(lane, row, redactSecrets(outcome.error), now);
    } else {
      const error = redactSecrets(outcome.error);
      this.store.markRejected(row.seq, error, now);
      this.logger.warn({ destination: lane.destination, seq: row.seq, error }, 'Discord rejected a message; it is kept in the outbox with its error and not retried');
    }
    this.onOutcome?.(row, outcome);
  }

  /** The row waits for the next probe; the first refusal of an episode is recorded and raised once. */
  private holdRefused(lane: Lane, row: OutboxRow<DiscordMessage>, error: string, now: number): void {
    this.store.markRetry(row.seq, now, now + this.probeIntervalMs, error);
    if (lane.refused !== null) {
      this.logger.debug({ destination: lane.destination, seq: row.seq, error }, 'Discord still refuses this destination');
      return;
    }
    lane.refused = { destination: lane.destination, channels: this.channelsOf(lane.destination), since: now, error };
    this.store.markRefused(lane.refused);
    const waiting = this.store.counts(lane.destination).pending;
    const channels = lane.refused.channels.length ? ` (channel ${lane.refused.channels.join(', ')})` : '';
    this.logger.error(
      { destination: lane.destination, channels: lane.refused.channels, error, waiting, probeIntervalMs: this.probeIntervalMs },
      `Discord refuses ${lane.destination}${channels}: ${error}. Its ${waiting} message(s) are kept and tried again every ${formatMs(this.probeIntervalMs)} and at the next rules reload or restart; check the webhook URL, the bot token and the bot's permissions in that channel`,
    );
    this.onRefused?.(lane.refused, waiting);
  }

  /**
   * Folds each group's backlog on this destination into digests: first into the group's pending
   * digest while it has room, then into new digests once more than the threshold wait. Runs
   * between sends, so no row of it is in flight.
   */
  private collapseBacklogs(destination: string, now: number): void {
    if (!Number.isFinite(this.collapseThreshold)) return;
    for (const groupKey of this.store.backloggedGroups(destination, this.collapseThreshold)) {
      let waiting = this.store.pendingOfGroup(destination, groupKey, DIGEST_CANDIDATES);
      const digest = this.store.pendingDigestOf(destination, groupKey);
      if (digest && waiting.length) {
        const members = this.store.digestMembers(digest.seq);
        const rendered = renderBacklogDigest([...members, ...waiting].map(heldBack));
        const joining = waiting.slice(0, Math.max(0, rendered.count - members.length));
        if (joining.length) {
          this.store.extendDigest(digest.seq, joining.map((row) => row.seq), rendered.message);
          waiting = waiting.slice(joining.length);
          this.logger.debug({ destination, groupKey, joined: joining.length, digest: digest.seq }, 'more held-back messages joined a pending digest');
        }
      }
      while (waiting.length > this.collapseThreshold) {
        const rendered = renderBacklogDigest(waiting.map(heldBack));
        if (rendered.count < 2) break;
        const seqs = waiting.slice(0, rendered.count).map((row) => row.seq);
        const seq = this.store.collapse(seqs, { idempotencyKey: `digest:${seqs[0]}`, payload: rendered.message }, now);
        waiting = waiting.slice(rendered.count);
        this.logger.info({ destination, groupKey, collapsed: seqs.length, digest: seq }, 'a backlog of one group collapsed into a digest');
      }
    }
  }

  private arm(lane: Lane, delayMs: number): void {
    if (!this.running) return;
    this.disarm(lane);
    lane.timer = this.timers.setTimeout(
      () => {
        lane.timer = null;
        this.wake(lane.destination);
      },
      Math.min(Math.max(0, delayMs), MAX_TIMER_MS),
    );
  }

  private disarm(lane: Lane): void {
    if (lane.timer !== null) this.timers.clearTimeout(lane.timer);
    lane.timer = null;
  }
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
