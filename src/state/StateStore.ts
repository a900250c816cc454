/**
 * barista's own SQLite file: WAL, versioned migrations, one instance at a time.
 * Everything barista remembers (checkpoints, caches, outbox, audit) lives here.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { corruptStateMessage, isCorruption, quickCheck, watchForCorruption } from './corruption';
import { acquireLease, LEASE_TABLE_SQL, releaseLease, StateInUseError, type LeaseHolder } from './instanceLease';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';

export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

export interface StateStoreOptions {
  path: string;
  migrations?: readonly Migration[];
  /** The clock rows are stamped with (created_at, updated_at) and retention ages against; a simulated one in the state bench. */
  now?: () => number;
}

export interface OpenedInfo {
  path: string;
  schemaVersion: number;
  applied: Migration[];
  replacedStale: LeaseHolder | null;
  firstStartedAt: number;
}

/** The state file is damaged: the message says how to recover and what is lost. */
export class StateCorruptError extends StateError {
  constructor(message: string) {
    super(message);
    this.name = 'StateCorruptError';
  }
}

export class StateStore {
  private closed = false;
  private corruption: StateCorruptError | null = null;
  private readonly corruptionListeners = new Set<(error: StateCorruptError) => void>();

  private constructor(
    readonly db: Database.Database,
    readonly info: OpenedInfo,
    /** Null when opened read-only: another barista may hold the lease. */
    private readonly leaseToken: string | null,
    /** The clock of this file's time stamps (StateStoreOptions.now). */
    readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Opens the file to read only, beside a running barista (which holds the lease): no lease, no
   * migrations. A file that is missing, not barista's, or of another schema version than this
   * barista's is refused with a StateError saying which.
   */
  static openReadOnly(filePath: string): StateStore {
    return StateStore.openBeside(filePath, 'read');
  }

  /**
   * Like openReadOnly, but writable: for an operator's small edits beside a running barista
   * (`barista outbox retry`), each in its own short transaction (WAL and the busy timeout make
   * them wait their turn, never corrupt).
   */
  static openForEdit(filePath: string): StateStore {
    return StateStore.openBeside(filePath, 'edit');
  }

  private static openBeside(filePath: string, mode: 'read' | 'edit'): StateStore {
    const file = path.resolve(filePath);
    if (!existsSync(file)) throw new StateError(`no state file at ${file} (has barista run with this --state?)`);
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: mode === 'read', fileMustExist: true });
      db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new StateError(`cannot open state file ${file}: ${describeSqliteError(error)}`);
    }
    try {
      const hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
      if (!hasMigrations) throw new StateError(`${file} is not a barista state file (it has no schema_migrations table)`);
      const current = currentVersion(db);
      if (current > LATEST_SCHEMA_VERSION) throw new StateError(`state file ${file} was written by a newer barista (schema version ${current}; this barista knows up to ${LATEST_SCHEMA_VERSION}); upgrade barista to read it`);
      const done = appliedVersions(db);
      if (current < LATEST_SCHEMA_VERSION || MIGRATIONS.some((m) => !done.has(m.version))) throw new StateError(`state file ${file} was written by an older barista (schema version ${current}); run \`barista run\` on it once to upgrade it`);
      const firstStartedAt = Number((db.prepare("SELECT value FROM kv WHERE key = 'first_started_at'").get() as { value: string } | undefined)?.value ?? NaN);
      return new StateStore(db, { path: file, schemaVersion: current, applied: [], replacedStale: null, firstStartedAt }, null);
    } catch (error) {
      db.close();
      if (error instanceof StateError) throw error;
      if (isCorruption(error)) throw new StateCorruptError(corruptStateMessage(file, (error as Error).message, 'reading'));
      throw new StateError(`cannot read state file ${file}: ${describeSqliteError(error)}`);
    }
  }

  get readOnly(): boolean {
    return this.leaseToken === null;
  }

  static open(options: StateStoreOptions): StateStore {
    const file = path.resolve(options.path);
    const migrations = options.migrations ?? MIGRATIONS;
    const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
    // Looked up at each call: jest's fake timers replace Date after a store is open.
    const now = options.now ?? (() => Date.now());
    mkdirSync(path.dirname(file), { recursive: true });
    refuseDamaged(file);

    let db: Database.Database;
    // Filled once the store exists; a corruption found while opening is thrown there instead.
    let store: StateStore | null = null;
    try {
      db = watchForCorruption(new Database(file), (error) => store?.reportCorruption(error));
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // The WAL is checkpointed every 1000 pages (SQLite's default) but never shrinks by itself:
      // a burst would leave it at its peak size for good. Truncate it back after each checkpoint.
      db.pragma('journal_size_limit = 4194304');
      db.pragma('foreign_keys = ON');
    } catch (error) {
      throw new StateError(`cannot open state file ${file}: ${describeSqliteError(error)}`);
    }

    let leaseToken: string | null = null;
    try {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL); ${LEASE_TABLE_SQL};`);
      const current = currentVersion(db);
      if (current > latest) {
        throw new StateError(
          `state file ${file} was written by a newer barista (schema version ${current}; this barista knows up to ${latest}). ` +
            'Upgrade barista, or start this one with --state pointing at another file.',
        );
      }
      const lease = acquireLease(db, file, now());
      leaseToken = lease.token;
      // Every migration not recorded, gaps included: a file made by a build that had 6 but not 5 gets 5.
      const done = appliedVersions(db);
      const applied = migrations.filter((m) => !done.has(m.version));
      for (const migration of applied) {
        try {
          db.transaction(() => {
            db.exec(migration.sql);
            db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
          }).immediate();
        } catch (error) {
          throw new StateError(`cannot migrate state file ${file}: migration ${migration.version} (${migration.name}) failed and was rolled back: ${describeSqliteError(error)}`);
        }
      }
      db.pragma(`user_version = ${latest}`);
      ensureIncrementalVacuum(db);
      const firstStartedAt = rememberFirstStart(db, now());
      store = new StateStore(db, { path: file, schemaVersion: Math.max(current, latest), applied, replacedStale: lease.replacedStale, firstStartedAt }, lease.token, now);
      return store;
    } catch (error) {
      try {
        if (leaseToken) releaseLease(db, leaseToken);
      } finally {
        db.close();
      }
      if (error instanceof StateError || error instanceof StateInUseError) throw error;
      if (isCorruption(error)) throw new StateCorruptError(corruptStateMessage(file, (error as Error).message, 'opening'));
      throw new StateError(`cannot use state file ${file}: ${describeSqliteError(error)}`);
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Called once with the first corruption SQLite reports on this file (the call that hit it
   * still throws). Barista cannot go on: nothing it commits can be trusted.
   */
  onCorruption(listener: (error: StateCorruptError) => void): void {
    this.corruptionListeners.add(listener);
    if (this.corruption) listener(this.corruption);
  }

  private reportCorruption(error: Error): void {
    if (this.corruption) return;
    this.corruption = new StateCorruptError(corruptStateMessage(this.info.path, error.message, 'running'));
    for (const listener of this.corruptionListeners) listener(this.corruption);
  }

  /** Runs fn in one IMMEDIATE transaction: the unit of exactly-once (events + checkpoint). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  getValue(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setValue(key: string, value: string): void {
    this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Latest value of something barista keeps for commands and digests (portfolio, positions…). */
  setCache(key: string, value: unknown, at: string | null = null): void {
    this.db
      .prepare('INSERT INTO cache (key, value, at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, at = excluded.at, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), at, this.now());
  }

  deleteCache(key: string): void {
    this.db.prepare('DELETE FROM cache WHERE key = ?').run(key);
  }

  getCache<T>(key: string): { value: T; at: string | null } | undefined {
    const row = this.db.prepare('SELECT value, at FROM cache WHERE key = ?').get(key) as { value: string; at: string | null } | undefined;
    return row ? { value: JSON.parse(row.value) as T, at: row.at } : undefined;
  }

  /** A cache row as stored (the catalogue validates the value), with when barista wrote it. */
  getCacheRow(key: string): { key: string; value: unknown; at: string | null; updatedAt: number } | undefined {
    const row = this.db.prepare('SELECT key, value, at, updated_at FROM cache WHERE key = ?').get(key) as { key: string; value: string; at: string | null; updated_at: number } | undefined;
    return row ? { key: row.key, value: parseJson(row.value), at: row.at, updatedAt: row.updated_at } : undefined;
  }

  /** Every cache row whose key starts with `prefix`, by key. */
  listCacheRows(prefix: string): { key: string; value: unknown; at: string | null; updatedAt: number }[] {
    const rows = this.db.prepare('SELECT key, value, at, updated_at FROM cache WHERE substr(key, 1, length(?)) = ? ORDER BY key').all(prefix, prefix) as { key: string; value: string; at: string | null; updated_at: number }[];
    return rows.map((row) => ({ key: row.key, value: parseJson(row.value), at: row.at, updatedAt: row.updated_at }));
  }

  /** Every cached value whose key starts with `prefix` (e.g. "portfolio:"), by key. */
  listCache<T>(prefix: string): { key: string; value: T; at: string | null }[] {
    const rows = this.db.prepare("SELECT key, value, at FROM cache WHERE substr(key, 1, length(?)) = ? ORDER BY key").all(prefix, prefix) as { key: string; value: string; at: string | null }[];
    return rows.map((row) => ({ key: row.key, value: JSON.parse(row.value) as T, at: row.at }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.leaseToken === null) {
      this.db.close();
      return;
    }
    try {
      // A damaged file cannot take these writes; it is closed as it is.
      if (!this.corruption) {
        releaseLease(this.db, this.leaseToken);
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      }
    } finally {
      this.db.close();
    }
  }
}

/** A cache value that is not JSON (a hand-edited row) reads as undefined: the catalogue calls it absent. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A file SQLite's quick check finds damaged is refused before barista uses it. */
function refuseDamaged(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  let problem: string | null;
  try {
    problem = quickCheck(file);
  } catch {
    return; // not a corruption (permissions, not a database…): opening it says what
  }
  if (problem) throw new StateCorruptError(corruptStateMessage(file, problem, 'opening'));
}

function appliedVersions(db: Database.Database): Set<number> {
  return new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
}

function currentVersion(db: Database.Database): number {
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

function rememberFirstStart(db: Database.Database, now: number): number {
  const hasKv = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kv'").get();
  if (!hasKv) return now;
  db.prepare("INSERT OR IGNORE INTO kv (key, value) VALUES ('first_started_at', ?)").run(String(now));
  const row = db.prepare("SELECT value FROM kv WHERE key = 'first_started_at'").get() as { value: string };
  return Number(row.value);
}

function describeSqliteError(error: unknown): string {
  const err = error as { code?: string; message?: string };
  if (err.code === 'SQLITE_NOTADB') return 'it is not a SQLite database (is --state pointing at the right file?)';
  if (err.code === 'SQLITE_BUSY') return 'the database stayed locked by another process for 5 s';
  if (err.code === 'SQLITE_CANTOPEN') return 'the file or its folder cannot be opened (permissions?)';
  if (err.code === 'SQLITE_READONLY') return 'the file is read-only';
  return err.message ?? String(error);
}

export { LATEST_SCHEMA_VERSION };

export const AUTO_VACUUM_INCREMENTAL = 2;

/**
 * Incremental auto-vacuum lets retention give freed pages back (src/state/retention.ts). A file
 * made without it (every file before this release) switches through one full VACUUM, once.
 */
function ensureIncrementalVacuum(db: Database.Database): void {
  if (Number(db.pragma('auto_vacuum', { simple: true })) === AUTO_VACUUM_INCREMENTAL) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
}
