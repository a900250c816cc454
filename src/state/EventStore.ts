/**
 * Recent events. Inserting is idempotent by event id: a batch replayed after a crash finds
 * its events already there, and only the new ones are returned for delivery.
 */
import type { BaristaEvent } from '../model/BaristaEvent';
import type { Statement } from 'better-sqlite3';
import type { StateStore } from './StateStore';

export class EventStore {
  private markStatement: Statement | undefined;

  constructor(private readonly state: StateStore) {}

  /** Inserts the events not seen before; returns those, in order. Call inside a transaction. */
  insertNew(events: BaristaEvent[]): BaristaEvent[] {
    const insert = this.state.db.prepare(
      'INSERT OR IGNORE INTO events (id, type, severity, at, source, subject, fields, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const now = Date.now();
    return events.filter((e) => insert.run(e.id, e.type, e.severity, Date.parse(e.at) || now, e.source, e.subject, JSON.stringify(e.fields), e.text ?? null, now).changes > 0);
  }

  recent(limit = 100, type?: string): BaristaEvent[] {
    const rows = (
      type
        ? this.state.db.prepare('SELECT * FROM events WHERE type = ? ORDER BY at DESC, rowid DESC LIMIT ?').all(type, limit)
        : this.state.db.prepare('SELECT * FROM events ORDER BY at DESC, rowid DESC LIMIT ?').all(limit)
    ) as EventRow[];
    return rows.map(eventOfRow);
  }

  /** Events committed but not yet handed to the outbox (barista stopped while they waited in a group), in commit order. */
  unnotified(): BaristaEvent[] {
    return (this.state.db.prepare('SELECT * FROM events WHERE notified_at IS NULL ORDER BY rowid').all() as EventRow[]).map(eventOfRow);
  }

  /** Records that these events reached the outbox or were settled by policy (dropped, muted). Call inside the outbox transaction. */
  markNotified(ids: readonly string[], now = Date.now()): void {
    // Prepared once per store: the notifier settles events one at a time as the policy drops them.
    const mark = (this.markStatement ??= this.state.db.prepare('UPDATE events SET notified_at = ? WHERE id = ? AND notified_at IS NULL'));
    for (const id of ids) mark.run(now, id);
  }

  /** Drops events older than the retention. */
  prune(olderThanMs: number, now = Date.now()): number {
    return this.state.db.prepare('DELETE FROM events WHERE created_at < ?').run(now - olderThanMs).changes;
  }
}

interface EventRow {
  id: string;
  type: string;
  severity: BaristaEvent['severity'];
  at: number;
  source: string;
  subject: string;
  fields: string;
  text: string | null;
}

function eventOfRow(r: EventRow): BaristaEvent {
  return { id: r.id, type: r.type, severity: r.severity, at: new Date(r.at).toISOString(), source: r.source, subject: r.subject, fields: JSON.parse(r.fields) as Record<string, unknown>, ...(r.text !== null ? { text: r.text } : {}) };
}
