/**
 * Recent events. Inserting is idempotent by event id: a batch replayed after a crash finds
 * its events already there, and only the new ones are returned for delivery.
 */
import type { BaristaEvent } from '../model/BaristaEvent';
import type { EventFact } from '../model/fact';
import type { Statement } from 'better-sqlite3';
import type { StateStore } from './StateStore';

export class EventStore {
  private markStatement: Statement | undefined;

  constructor(private readonly state: StateStore) {}

  /** Inserts the events not seen before; returns those, in order. Call inside a transaction. */
  insertNew(events: BaristaEvent[]): BaristaEvent[] {
    const insert = this.state.db.prepare(
      'INSERT OR IGNORE INTO events (id, type, severity, at, source, subject, fields, text, fact, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const now = this.state.now();
    return events.filter(
      (e) => insert.run(e.id, e.type, e.severity, Date.parse(e.at) || now, e.source, e.subject, JSON.stringify(e.fields), e.text ?? null, e.fact ? JSON.stringify(e.fact) : null, now).changes > 0,
    );
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
  markNotified(ids: readonly string[], now = this.state.now()): void {
    // Prepared once per store: the notifier settles events one at a time as the policy drops them.
    const mark = (this.markStatement ??= this.state.db.prepare('UPDATE events SET notified_at = ? WHERE id = ? AND notified_at IS NULL'));
    for (const id of ids) mark.run(now, id);
  }

  /** Settles an event whose fact another event reported in its place (that one's id, for the record). */
  markDuplicate(id: string, of: string, now = this.state.now()): void {
    this.state.db.prepare('UPDATE events SET notified_at = coalesce(notified_at, ?), duplicate_of = ? WHERE id = ?').run(now, of, id);
  }

  /** Which event was sent in this one's place, if any. */
  duplicateOf(id: string): string | null {
    const row = this.state.db.prepare('SELECT duplicate_of FROM events WHERE id = ?').get(id) as { duplicate_of: string | null } | undefined;
    return row?.duplicate_of ?? null;
  }

  /**
   * Facts already notified since `sinceMs` (by when they were settled), each by the event that
   * carried it: a restart remembers them, so a late second report is not a second message.
   */
  notifiedFacts(sinceMs: number): { id: string; fact: EventFact; sentAt: number }[] {
    const rows = this.state.db
      .prepare('SELECT id, fact, notified_at FROM events WHERE fact IS NOT NULL AND duplicate_of IS NULL AND notified_at >= ? ORDER BY notified_at')
      .all(sinceMs) as { id: string; fact: string; notified_at: number }[];
    return rows.flatMap((row) => {
      const fact = parseFact(row.fact);
      return fact ? [{ id: row.id, fact, sentAt: row.notified_at }] : [];
    });
  }

  /** Drops events older than the retention. */
  prune(olderThanMs: number, now = this.state.now()): number {
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
  fact: string | null;
}

function parseFact(text: string | null): EventFact | null {
  if (text === null) return null;
  try {
    const fact = JSON.parse(text) as Partial<EventFact>;
    return typeof fact.key === 'string' && typeof fact.rank === 'number' && typeof fact.holdMs === 'number' ? { key: fact.key, rank: fact.rank, holdMs: fact.holdMs } : null;
  } catch {
    return null;
  }
}

function eventOfRow(r: EventRow): BaristaEvent {
  const fact = parseFact(r.fact);
  return {
    id: r.id,
    type: r.type,
    severity: r.severity,
    at: new Date(r.at).toISOString(),
    source: r.source,
    subject: r.subject,
    fields: JSON.parse(r.fields) as Record<string, unknown>,
    ...(r.text !== null ? { text: r.text } : {}),
    ...(fact ? { fact } : {}),
  };
}
