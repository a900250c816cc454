/** Per-source resume points (JSON), written in the same transaction as the events they cover. */
import type { StateStore } from './StateStore';

export class CheckpointStore {
  constructor(private readonly state: StateStore) {}

  load<T>(source: string): Map<string, T> {
    const rows = this.state.db.prepare('SELECT key, position FROM checkpoints WHERE source = ?').all(source) as { key: string; position: string }[];
    return new Map(rows.map((row) => [row.key, JSON.parse(row.position) as T]));
  }

  get<T>(source: string, key: string): T | undefined {
    const row = this.state.db.prepare('SELECT position FROM checkpoints WHERE source = ? AND key = ?').get(source, key) as { position: string } | undefined;
    return row ? (JSON.parse(row.position) as T) : undefined;
  }

  put(source: string, key: string, position: unknown, identity: string | null = null): void {
    this.state.db
      .prepare(
        `INSERT INTO checkpoints (source, key, identity, position, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (source, key) DO UPDATE SET identity = excluded.identity, position = excluded.position, updated_at = excluded.updated_at`,
      )
      .run(source, key, identity, JSON.stringify(position), this.state.now());
  }

  delete(source: string, key: string): void {
    this.state.db.prepare('DELETE FROM checkpoints WHERE source = ? AND key = ?').run(source, key);
  }
}
