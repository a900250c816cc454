/**
 * Control actions waiting for their requester's button press. A button's custom_id only names a
 * row here by a random id; what will be done (the plan), who may press, and until when, are
 * barista's. A press is honoured by claiming the row in one UPDATE (pending, not expired → its
 * new status): whoever claims first acts, every other press or replay finds it settled.
 */
import { randomBytes } from 'node:crypto';
import type { StateStore } from './StateStore';

export type PendingKind = 'confirm' | 'pick';
export type PendingStatus = 'pending' | 'confirmed' | 'cancelled' | 'expired' | 'picked';

export interface NewPendingAction {
  kind: PendingKind;
  command: string;
  /** JSON-able: the plan to execute (confirm), or what to plan once a pid is picked (pick). */
  plan: unknown;
  userId: string;
  userTag: string;
  place: string;
  auditId: number | null;
  expiresAt: number;
}

export interface PendingAction extends Omit<NewPendingAction, 'plan'> {
  id: string;
  plan: unknown;
  createdAt: number;
  status: PendingStatus;
  settledAt: number | null;
  settledBy: string | null;
  /** The message carrying its buttons, once posted where the bot can edit it. */
  message: PostedMessage | null;
}

export interface PostedMessage {
  channelId: string;
  messageId: string;
}

interface Row {
  id: string;
  kind: string;
  command: string;
  plan: string;
  user_id: string;
  user_tag: string | null;
  place: string | null;
  audit_id: number | null;
  created_at: number;
  expires_at: number;
  status: string;
  settled_at: number | null;
  settled_by: string | null;
  message: string | null;
}

/** Ids are 24 hex characters (96 random bits): custom_ids stay far under Discord's 100. */
export const PENDING_ID = /^[0-9a-f]{24}$/;

export class PendingActionStore {
  constructor(
    private readonly state: StateStore,
    private readonly now: () => number = Date.now,
  ) {}

  create(action: NewPendingAction): PendingAction {
    const id = randomBytes(12).toString('hex');
    const createdAt = this.now();
    this.state.db
      .prepare('INSERT INTO pending_actions (id, kind, command, plan, user_id, user_tag, place, audit_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, action.kind, action.command, JSON.stringify(action.plan), action.userId, action.userTag, action.place, action.auditId, createdAt, action.expiresAt);
    return { ...action, id, createdAt, status: 'pending', settledAt: null, settledBy: null, message: null };
  }

  /** Remembers where the question of action `id` was posted. */
  posted(id: string, message: PostedMessage): void {
    this.state.db.prepare('UPDATE pending_actions SET message = ? WHERE id = ?').run(JSON.stringify({ channelId: message.channelId, messageId: message.messageId }), id);
  }

  get(id: string): PendingAction | undefined {
    if (!PENDING_ID.test(id)) return undefined;
    const row = this.state.db.prepare('SELECT * FROM pending_actions WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /**
   * Settles a pending, unexpired action as `status` for `by`; true only for the one caller that
   * did. Expiry counts from the store's clock, so a press a moment late is refused.
   */
  claim(id: string, status: Exclude<PendingStatus, 'pending' | 'expired'>, by: string): boolean {
    const now = this.now();
    const result = this.state.db
      .prepare("UPDATE pending_actions SET status = ?, settled_at = ?, settled_by = ? WHERE id = ? AND status = 'pending' AND expires_at > ?")
      .run(status, now, by, id, now);
    return result.changes === 1;
  }

  /** Marks one pending action expired if its time is up; true when this call did. */
  expire(id: string): boolean {
    const now = this.now();
    const result = this.state.db.prepare("UPDATE pending_actions SET status = 'expired', settled_at = ? WHERE id = ? AND status = 'pending' AND expires_at <= ?").run(now, id, now);
    return result.changes === 1;
  }

  /**
   * Every action still pending, now marked expired, whatever its time: at start-up, those of a
   * previous run, whose expiry timers and interactions died with it.
   */
  expireAll(): PendingAction[] {
    const now = this.now();
    const rows = this.state.db.prepare("UPDATE pending_actions SET status = 'expired', settled_at = ? WHERE status = 'pending' RETURNING *").all(now) as Row[];
    return rows.map(fromRow);
  }

  /** Settled actions older than `olderThanMs` are forgotten (the audit keeps what happened). */
  prune(olderThanMs: number): number {
    return this.state.db.prepare("DELETE FROM pending_actions WHERE status != 'pending' AND created_at < ?").run(this.now() - olderThanMs).changes;
  }
}

function fromRow(row: Row): PendingAction {
  return {
    id: row.id,
    kind: row.kind === 'pick' ? 'pick' : 'confirm',
    command: row.command,
    plan: JSON.parse(row.plan) as unknown,
    userId: row.user_id,
    userTag: row.user_tag ?? '',
    place: row.place ?? '',
    auditId: row.audit_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    status: row.status as PendingStatus,
    settledAt: row.settled_at,
    settledBy: row.settled_by,
    message: postedMessage(row.message),
  };
}

function postedMessage(text: string | null): PostedMessage | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as Partial<PostedMessage>;
    return typeof parsed.channelId === 'string' && typeof parsed.messageId === 'string' ? { channelId: parsed.channelId, messageId: parsed.messageId } : null;
  } catch {
    return null;
  }
}
