/**
 * The durable outbox: every notification is written here (in the same transaction as what
 * caused it) before anything tries to send it. Rows are ordered per destination by
 * `position`; the head of a destination blocks the rows behind it until it is sent, rejected,
 * expired or collapsed, so order holds through retries, outages and restarts.
 *
 * The payload is opaque JSON here (state never imports discord); the dispatcher knows it is a
 * DiscordMessage.
 */
import type Database from 'better-sqlite3';
import type { StateStore } from './StateStore';

export type OutboxStatus = 'pending' | 'sent' | 'rejected' | 'expired' | 'collapsed';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'rejected', 'expired', 'collapsed'];

export type OutboxKind = 'message' | 'digest';

/**
 * `last_error` of a row while its send is under way; every outcome overwrites it. Found on a
 * pending row at start, it means barista died during the send: Discord may have the message.
 * Such a row is sent again as it is (a bot channel's nonce then returns the first message) and is
 * never folded into a digest, nor extended when it is one, which would post its content twice or
 * lose what joined it.
 */
export const OUTCOME_UNKNOWN = 'send under way or interrupted: Discord may have this message';

/** What a caller enqueues. */
export interface OutboxEntry<P = unknown> {
  /** Destination key (the sink's key: `webhook:<id>`, `bot:<channelId>`, `console`); stored in column `channel`. */
  destination: string;
  /** Unique forever: enqueuing the same key again (a replayed batch) adds nothing. */
  idempotencyKey: string;
  /** Rows of one group on one destination may be collapsed into a digest when they pile up. */
  groupKey?: string | null;
  payload: P;
  /** Snapshot-like rows: never sent after this time (epoch ms). */
  expiresAt?: number | null;
}

export interface OutboxRow<P = unknown> {
  seq: number;
  destination: string;
  idempotencyKey: string;
  groupKey: string | null;
  kind: OutboxKind;
  payload: P;
  status: OutboxStatus;
  position: number;
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastError: string | null;
  createdAt: number;
  expiresAt: number | null;
  sentAt: number | null;
  messageId: string | null;
  collapsedInto: number | null;
}

export type OutboxCounts = Record<OutboxStatus, number>;

export interface DestinationStats {
  destination: string;
  pending: number;
  rejected: number;
  oldestPendingAt: number | null;
}

interface RawRow {
  seq: number;
  channel: string;
  idempotency_key: string;
  group_key: string | null;
  kind: OutboxKind;
  payload: string;
  status: OutboxStatus;
  position: number;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_error: string | null;
  created_at: number;
  expires_at: number | null;
  sent_at: number | null;
  message_id: string | null;
  collapsed_into: number | null;
}

/** A destination Discord refuses (see OutboxStore.markRefused). */
export interface DestinationRefusal {
  destination: string;
  /** The channels of notify.channels it delivers (for the alarm, and to find its replacement). */
  channels: string[];
  since: number;
  /** Discord's answer, redacted. */
  error: string;
}

const REFUSED_PREFIX = 'outbox-refused:';

export class OutboxStore<P = unknown> {
  private readonly db: Database.Database;
  private readonly state: StateStore;
  private readonly statements: Statements;
  private readonly enqueueTx: (entries: readonly OutboxEntry<P>[], now: number) => number[];

  constructor(state: StateStore) {
    this.state = state;
    this.db = state.db;
    this.statements = prepareStatements(this.db);
    this.enqueueTx = this.db.transaction((entries: readonly OutboxEntry<P>[], now: number) => {
      const added: number[] = [];
      for (const entry of entries) {
        const result = this.statements.insert.run(entry.destination, entry.idempotencyKey, entry.groupKey ?? null, JSON.stringify(entry.payload), now, now, entry.expiresAt ?? null);
        if (result.changes > 0) added.push(Number(result.lastInsertRowid));
      }
      return added;
    });
  }

  /**
   * Adds rows, skipping idempotency keys already present (sent or not). Returns the seqs of the
   * rows actually added. Atomic on its own; inside a caller's transaction it joins it (a savepoint),
   * so the caller can enqueue in the same commit as marking its events notified.
   */
  enqueue(entries: readonly OutboxEntry<P>[], now = Date.now()): number[] {
    return this.enqueueTx(entries, now);
  }

  /** The first pending, unexpired row of a destination, due or not: it blocks the rows behind it. */
  head(destination: string, now = Date.now()): OutboxRow<P> | undefined {
    const raw = this.statements.head.get(destination, now) as RawRow | undefined;
    return raw && toRow<P>(raw);
  }

  /** The head of a destination if it may be sent now; undefined when none is pending or it waits for its retry. */
  nextDue(destination: string, now = Date.now()): OutboxRow<P> | undefined {
    const head = this.head(destination, now);
    return head && head.nextAttemptAt <= now ? head : undefined;
  }

  get(seq: number): OutboxRow<P> | undefined {
    const raw = this.statements.get.get(seq) as RawRow | undefined;
    return raw && toRow<P>(raw);
  }

  /** Delivered. Also wins over `expired`: a row can expire while its send is in flight, and what happened matters more. */
  markSent(seq: number, now = Date.now(), messageId?: string): void {
    this.statements.markSent.run(now, now, messageId ?? null, seq);
  }

  /** A send of this row begins (see OUTCOME_UNKNOWN). */
  markSending(seq: number): void {
    this.statements.markSending.run(OUTCOME_UNKNOWN, seq);
  }

  /** One more failed attempt; the row stays at the head of its destination until nextAttemptAt. */
  markRetry(seq: number, now: number, nextAttemptAt: number, error: string): void {
    this.statements.markRetry.run(now, nextAttemptAt, error, seq);
  }

  /** A destination's waiting rows are due now (its credentials may work again: a reload). */
  retryNow(destination: string, now = Date.now()): void {
    this.statements.retryNow.run(now, destination, now);
  }

  /**
   * Discord refuses this destination itself (credentials, permission, deleted webhook) since
   * `since`: remembered across restarts and readable by `barista status`, until it accepts again.
   */
  markRefused(refusal: DestinationRefusal): void {
    this.state.setCache(`${REFUSED_PREFIX}${refusal.destination}`, refusal, new Date(refusal.since).toISOString());
  }

  clearRefused(destination: string): void {
    this.state.deleteCache(`${REFUSED_PREFIX}${destination}`);
  }

  /**
   * A refused destination was replaced (a new webhook URL for its channel): its pending rows move
   * to the first new destination, in their order, due now; further destinations get copies.
   * Returns how many rows moved.
   */
  retarget(from: string, to: readonly string[], now = Date.now()): number {
    return this.db.transaction(() => {
      for (const extra of to.slice(1)) this.statements.copyPending.run(extra, `>${extra}`, now, from);
      return to.length ? this.statements.movePending.run(to[0], now, from).changes : 0;
    })();
  }

  /** Destinations Discord refuses now, oldest refusal first. */
  refusedDestinations(): DestinationRefusal[] {
    return this.state
      .listCache<DestinationRefusal>(REFUSED_PREFIX)
      .map((entry) => entry.value)
      .sort((a, b) => a.since - b.since);
  }

  /** Discord refused the message as invalid: kept with its error, never sent again. */
  markRejected(seq: number, error: string, now = Date.now()): void {
    this.statements.markRejected.run(now, error, seq);
  }

  /** Pending rows past their expiry become expired. Returns how many. */
  expire(now = Date.now()): number {
    return this.statements.expire.run(now).changes;
  }

  pendingDestinations(): string[] {
    return (this.statements.pendingDestinations.all() as { channel: string }[]).map((r) => r.channel);
  }

  /** Rows per status, over all destinations or one. */
  counts(destination?: string): OutboxCounts {
    const rows = (destination === undefined ? this.statements.counts.all() : this.statements.countsFor.all(destination)) as { status: OutboxStatus; n: number }[];
    const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as OutboxCounts;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** Each destination with pending or rejected rows: how many, and when its oldest pending row was written. */
  destinationStats(): DestinationStats[] {
    return this.db
      .prepare(
        `SELECT channel AS destination, sum(status = 'pending') AS pending, sum(status = 'rejected') AS rejected,
                min(CASE WHEN status = 'pending' THEN created_at END) AS oldestPendingAt
           FROM outbox WHERE status IN ('pending', 'rejected') GROUP BY channel ORDER BY channel`,
      )
      .all() as DestinationStats[];
  }

  /** When the oldest pending row was written (epoch ms), or null when none is pending. */
  oldestPendingAt(): number | null {
    return (this.db.prepare("SELECT min(created_at) AS at FROM outbox WHERE status = 'pending'").get() as { at: number | null }).at;
  }

  /**
   * An operator's retry (`barista outbox retry`): rejected and expired rows go back to pending,
   * due now, with their attempts reset; pending rows waiting out a backoff become due now.
   * Returns the rows changed.
   */
  requeue(seqs: readonly number[], now = Date.now()): number {
    return this.db.transaction(() => seqs.reduce((n, seq) => n + this.statements.requeue.run({ now, seq }).changes, 0))();
  }

  /** An operator's drop (`barista outbox drop`): pending or rejected rows are never sent; kept as expired with why, until retention. */
  drop(seqs: readonly number[], reason: string): number {
    return this.db.transaction(() => seqs.reduce((n, seq) => n + this.statements.drop.run({ reason, seq }).changes, 0))();
  }

  /** Latest rows first, optionally of one status and/or destination (for status reports: what was rejected and why). */
  list(filter: { status?: OutboxStatus; destination?: string; limit?: number } = {}): OutboxRow<P>[] {
    return (this.statements.list.all({ status: filter.status ?? null, destination: filter.destination ?? null, limit: filter.limit ?? 50 }) as RawRow[]).map((r) => toRow<P>(r));
  }

  /**
   * Group keys of a destination whose pending plain messages (expiring snapshots excluded) should
   * go into a digest: more than `threshold` of them, or any while a digest of the group is pending.
   * The earliest backlog first.
   */
  backloggedGroups(destination: string, threshold: number): string[] {
    return (this.statements.backlogged.all(destination, threshold) as { group_key: string }[]).map((r) => r.group_key);
  }

  /** Pending plain messages of one group on one destination, in order (the candidates for a digest). */
  pendingOfGroup(destination: string, groupKey: string, limit = 1000): OutboxRow<P>[] {
    return (this.statements.ofGroup.all(destination, groupKey, limit) as RawRow[]).map((r) => toRow<P>(r));
  }

  /** The latest pending digest of a group on a destination, which later rows of the group may join. */
  pendingDigestOf(destination: string, groupKey: string): OutboxRow<P> | undefined {
    const raw = this.statements.pendingDigest.get(destination, groupKey) as RawRow | undefined;
    return raw && toRow<P>(raw);
  }

  /** The rows a digest replaced, in their original order. */
  digestMembers(digestSeq: number): OutboxRow<P>[] {
    return (this.statements.members.all(digestSeq) as RawRow[]).map((r) => toRow<P>(r));
  }

  /**
   * Replaces pending rows of one destination by one digest row, in one transaction. The digest
   * takes the place of the first of them (its position, attempts and next attempt, so a backoff
   * in progress goes on); the rows become `collapsed` and point at the digest. Returns its seq.
   * Throws, changing nothing, if a row is not a pending message on that destination any more.
   */
  collapse(seqs: readonly number[], digest: { idempotencyKey: string; payload: P }, now = Date.now()): number {
    return this.db.transaction(() => {
      const rows = this.collapsibleRows(seqs);
      const first = rows[0];
      if (!first) throw new Error('collapse needs at least one row');
      const head = rows.reduce((a, b) => (b.position < a.position || (b.position === a.position && b.seq < a.seq) ? b : a), first);
      const digestSeq = Number(
        this.statements.insertDigest.run(first.destination, digest.idempotencyKey, first.groupKey, JSON.stringify(digest.payload), head.position, head.attempts, head.nextAttemptAt, head.lastError, now).lastInsertRowid,
      );
      for (const row of rows) this.statements.markCollapsed.run(digestSeq, row.seq, first.destination);
      return digestSeq;
    })();
  }

  /**
   * Folds more pending rows into a pending digest (which keeps its place) and replaces its
   * payload, in one transaction. Throws, changing nothing, if the digest or a row is not pending.
   */
  extendDigest(digestSeq: number, seqs: readonly number[], payload: P): void {
    this.db.transaction(() => {
      const digest = this.get(digestSeq);
      if (!digest || digest.kind !== 'digest' || digest.status !== 'pending' || digest.lastError === OUTCOME_UNKNOWN) throw new Error(`outbox row ${digestSeq} is not a pending digest that may still change`);
      const rows = this.collapsibleRows(seqs, digest.destination);
      this.statements.updatePayload.run(JSON.stringify(payload), digestSeq);
      for (const row of rows) this.statements.markCollapsed.run(digestSeq, row.seq, digest.destination);
    })();
  }

  private collapsibleRows(seqs: readonly number[], destination?: string): OutboxRow<P>[] {
    const rows: OutboxRow<P>[] = [];
    for (const seq of seqs) {
      const row = this.get(seq);
      const expected = destination ?? rows[0]?.destination ?? row?.destination;
      if (!row || row.status !== 'pending' || row.kind !== 'message' || row.destination !== expected || row.lastError === OUTCOME_UNKNOWN) {
        throw new Error(`outbox row ${seq} cannot be collapsed: not a pending message on ${expected ?? 'the same destination'} whose send is not in doubt`);
      }
      rows.push(row);
    }
    return rows;
  }

  /**
   * Deletes sent and expired rows finished before now - olderThanMs, and collapsed rows as old
   * whose digest is finished too. Rejected rows stay for inspection. Returns how many went.
   */
  prune(olderThanMs: number, now = Date.now()): number {
    const cutoff = now - olderThanMs;
    return this.db.transaction(() => this.statements.pruneCollapsed.run(cutoff).changes + this.statements.pruneDone.run(cutoff).changes)();
  }
}

type Statements = ReturnType<typeof prepareStatements>;

/** SQL: no send of the row is under way or was cut off by a crash (OUTCOME_UNKNOWN holds no quote). */
const OUTCOME_KNOWN_SQL = `last_error IS NOT '${OUTCOME_UNKNOWN}'`;

function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT OR IGNORE INTO outbox (channel, idempotency_key, group_key, payload, status, attempts, next_attempt_at, created_at, expires_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    ),
    head: db.prepare(
      `SELECT * FROM outbox WHERE channel = ? AND status = 'pending' AND (expires_at IS NULL OR expires_at > ?)
       ORDER BY position, seq LIMIT 1`,
    ),
    get: db.prepare('SELECT * FROM outbox WHERE seq = ?'),
    markSent: db.prepare(`UPDATE outbox SET status = 'sent', sent_at = ?, last_attempt_at = ?, attempts = attempts + 1, message_id = ?, last_error = NULL WHERE seq = ? AND status IN ('pending', 'expired')`),
    markSending: db.prepare(`UPDATE outbox SET last_error = ? WHERE seq = ? AND status = 'pending'`),
    markRetry: db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?, last_error = ? WHERE seq = ? AND status = 'pending'`),
    retryNow: db.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE channel = ? AND status = 'pending' AND next_attempt_at > ?`),
    movePending: db.prepare(`UPDATE outbox SET channel = ?, next_attempt_at = ? WHERE channel = ? AND status = 'pending'`),
    copyPending: db.prepare(
      `INSERT OR IGNORE INTO outbox (channel, idempotency_key, group_key, kind, payload, status, position, attempts, next_attempt_at, created_at, expires_at)
       SELECT ?, idempotency_key || ?, group_key, kind, payload, 'pending', position, 0, ?, created_at, expires_at FROM outbox WHERE channel = ? AND status = 'pending'`,
    ),
    markRejected: db.prepare(`UPDATE outbox SET status = 'rejected', attempts = attempts + 1, last_attempt_at = ?, last_error = ? WHERE seq = ? AND status IN ('pending', 'expired')`),
    expire: db.prepare(`UPDATE outbox SET status = 'expired' WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?`),
    pendingDestinations: db.prepare(`SELECT DISTINCT channel FROM outbox WHERE status = 'pending' ORDER BY channel`),
    counts: db.prepare('SELECT status, count(*) AS n FROM outbox GROUP BY status'),
    countsFor: db.prepare('SELECT status, count(*) AS n FROM outbox WHERE channel = ? GROUP BY status'),
    backlogged: db.prepare(
      `SELECT group_key FROM outbox
       WHERE channel = ? AND status = 'pending' AND expires_at IS NULL AND group_key IS NOT NULL AND ${OUTCOME_KNOWN_SQL}
       GROUP BY group_key
       HAVING sum(kind = 'message') > ? OR (sum(kind = 'message') > 0 AND sum(kind = 'digest') > 0)
       ORDER BY min(position)`,
    ),
    pendingDigest: db.prepare(
      `SELECT * FROM outbox WHERE channel = ? AND status = 'pending' AND kind = 'digest' AND expires_at IS NULL AND group_key = ? AND ${OUTCOME_KNOWN_SQL}
       ORDER BY position DESC, seq DESC LIMIT 1`,
    ),
    members: db.prepare(`SELECT * FROM outbox WHERE collapsed_into = ? AND status = 'collapsed' ORDER BY position, seq`),
    updatePayload: db.prepare(`UPDATE outbox SET payload = ? WHERE seq = ?`),
    ofGroup: db.prepare(
      `SELECT * FROM outbox WHERE channel = ? AND status = 'pending' AND kind = 'message' AND expires_at IS NULL AND group_key = ? AND ${OUTCOME_KNOWN_SQL}
       ORDER BY position, seq LIMIT ?`,
    ),
    insertDigest: db.prepare(
      `INSERT INTO outbox (channel, idempotency_key, group_key, kind, payload, status, position, attempts, next_attempt_at, last_error, created_at)
       VALUES (?, ?, ?, 'digest', ?, 'pending', ?, ?, ?, ?, ?)`,
    ),
    markCollapsed: db.prepare(`UPDATE outbox SET status = 'collapsed', collapsed_into = ? WHERE seq = ? AND status = 'pending' AND channel = ?`),
    pruneCollapsed: db.prepare(
      `DELETE FROM outbox WHERE status = 'collapsed' AND created_at < ?
       AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.seq = outbox.collapsed_into AND d.status IN ('pending', 'rejected'))`,
    ),
    pruneDone: db.prepare(`DELETE FROM outbox WHERE status IN ('sent', 'expired') AND coalesce(sent_at, created_at) < ?`),
    requeue: db.prepare(
      `UPDATE outbox SET status = 'pending', next_attempt_at = @now,
         attempts = CASE WHEN status = 'pending' THEN attempts ELSE 0 END,
         last_error = CASE WHEN status = 'pending' THEN last_error ELSE NULL END,
         expires_at = CASE WHEN status = 'pending' THEN expires_at ELSE NULL END
       WHERE seq = @seq AND status IN ('rejected', 'expired', 'pending')`,
    ),
    drop: db.prepare(`UPDATE outbox SET status = 'expired', last_error = @reason WHERE seq = @seq AND status IN ('pending', 'rejected')`),
    list: db.prepare(
      `SELECT * FROM outbox WHERE (@status IS NULL OR status = @status) AND (@destination IS NULL OR channel = @destination)
     ORDER BY position DESC, seq DESC LIMIT @limit`,
    ),
  };
}

function toRow<P>(raw: RawRow): OutboxRow<P> {
  return {
    seq: raw.seq,
    destination: raw.channel,
    idempotencyKey: raw.idempotency_key,
    groupKey: raw.group_key,
    kind: raw.kind,
    payload: JSON.parse(raw.payload) as P,
    status: raw.status,
    position: raw.position,
    attempts: raw.attempts,
    nextAttemptAt: raw.next_attempt_at,
    lastAttemptAt: raw.last_attempt_at,
    lastError: raw.last_error,
    createdAt: raw.created_at,
    expiresAt: raw.expires_at,
    sentAt: raw.sent_at,
    messageId: raw.message_id,
    collapsedInto: raw.collapsed_into,
  };
}
