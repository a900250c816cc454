/**
 * Who asked barista to do what, from where, and what came of it: every denied command, every
 * command that changes something (mutes, control), allowed or not. Read by /audit and `barista audit`.
 */
import type { Statement } from 'better-sqlite3';
import type { StateStore } from './StateStore';

export type AuditDecision = 'allowed' | 'denied';

export interface AuditEntry {
  at: number;
  userId: string;
  userTag: string;
  /** e.g. "mute", "trader stop". */
  command: string;
  /** The arguments as given (JSON text). */
  args: string | null;
  /** e.g. "guild 1 channel 2", "DM 3". */
  place: string;
  decision: AuditDecision;
  /** What happened, or why it was denied. */
  outcome: string | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export class AuditLog {
  private readonly insert: Statement;

  constructor(private readonly state: StateStore) {
    this.insert = state.db.prepare('INSERT INTO audit (at, user_id, user_tag, command, args, place, decision, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  record(entry: AuditEntry): number {
    const result = this.insert.run(entry.at, entry.userId, entry.userTag, entry.command, entry.args, entry.place, entry.decision, entry.outcome);
    return Number(result.lastInsertRowid);
  }

  /** Sets the outcome of a row recorded before the action finished. */
  settle(id: number, outcome: string): void {
    this.state.db.prepare('UPDATE audit SET outcome = ? WHERE id = ?').run(outcome, id);
  }

  /** Newest first. */
  recent(count: number): AuditRow[] {
    const rows = this.state.db
      .prepare('SELECT id, at, user_id, user_tag, command, args, place, decision, outcome FROM audit ORDER BY id DESC LIMIT ?')
      .all(count) as Array<{ id: number; at: number; user_id: string | null; user_tag: string | null; command: string; args: string | null; place: string | null; decision: string; outcome: string | null }>;
    return rows.map((r) => ({ id: r.id, at: r.at, userId: r.user_id ?? '', userTag: r.user_tag ?? '', command: r.command, args: r.args, place: r.place ?? '', decision: r.decision === 'allowed' ? 'allowed' : 'denied', outcome: r.outcome }));
  }
}
