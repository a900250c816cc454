/** Read-only looks into a running barista's state file (WAL lets a reader in beside it). */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface StoredEvent {
  type: string;
  fields: Record<string, unknown>;
}

/** Runs `read` on a read-only connection; `fallback` while the state file does not exist yet. */
export function readState<T>(state: string, fallback: T, read: (db: Database.Database) => T): T {
  if (!existsSync(state)) return fallback;
  const db = new Database(state, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The committed events of one source, in commit order. */
export function eventsInState(state: string, source: string): StoredEvent[] {
  return readState(state, [], (db) =>
    (db.prepare('SELECT type, fields FROM events WHERE source = ? ORDER BY rowid').all(source) as { type: string; fields: string }[]).map((r) => ({ type: r.type, fields: JSON.parse(r.fields) as Record<string, unknown> })),
  );
}
