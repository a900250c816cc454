/**
 * Read-only access to an Optuna RDB storage in SQLite (see shared optuna.md §4–5).
 * Optuna leaves the file in rollback-journal mode and its writer fails if a reader holds a
 * transaction for ~5 s, so: read-only connection with a busy timeout, never `immutable`, no
 * pragma that writes, `data_version` to skip idle polls, and one short transaction per read.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { OptunaSnapshot, RawTrialDetails, TrialProgress } from './optunaRecords';
import { parseServerStorage, type ServerStorageUrl } from './optunaServerUrl';
import { sortTrials, toDetails, toProgress, toStudies, toTrial, type DetailRows, type TrialRow } from './optunaRows';

/** Optuna 3.0–3.1 and 3.2–4.x (3.2 only added an index); other layouts differ in ways that matter. */
export const SUPPORTED_REVISIONS: readonly string[] = ['v3.0.0.d', 'v3.2.0.a'];

/** `sqlite:///relative.db` against the workspace, `sqlite:////abs.db` absolute; null if not SQLite. */
export function resolveSqliteStorage(storage: string, workspace: string): string | null {
  const match = /^sqlite:\/\/\/([^?]+)(\?.*)?$/.exec(storage.trim());
  if (!match) return null;
  return path.resolve(workspace, decodeURIComponent(match[1]));
}

export type StorageLocation =
  | { kind: 'sqlite'; file: string }
  | { kind: 'journal'; file: string }
  | { kind: 'server'; url: ServerStorageUrl }
  | { kind: 'unsupported'; url: string };

/** What `storage:` names: a sqlite:/// URL, a PostgreSQL or MySQL URL, another URL (Redis…: not watched), or a JournalStorage file. */
export function resolveStorage(storage: string, workspace: string): StorageLocation {
  const sqlite = resolveSqliteStorage(storage, workspace);
  if (sqlite) return { kind: 'sqlite', file: sqlite };
  const server = parseServerStorage(storage);
  if (server) return { kind: 'server', url: server };
  const text = storage.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { kind: 'unsupported', url: text.replace(/\/\/[^/@]*@/, '//…@') }; // no password in messages
  return { kind: 'journal', file: path.resolve(workspace, text) };
}

export type ReadResult =
  | { kind: 'missing' }
  /** Nothing was committed since the last read (same connection). */
  | { kind: 'unchanged' }
  | { kind: 'unsupported'; revision: string | null }
  /** `replaced`: another file than the one read before is at the path now (deleted and created again, or renamed over). */
  | { kind: 'snapshot'; revision: string; snapshot: OptunaSnapshot; replaced: boolean };

export interface ReadRequest {
  watermark: number;
  /** trial_ids last seen RUNNING or WAITING. */
  open: number[];
  /** Read even if data_version did not move (the rest of a chunked catch-up, a resync). */
  force?: boolean;
}

export interface OptunaStorageOptions {
  busyTimeoutMs?: number;
  /** New trials per read: bounds the transaction on a cold start of a big study. */
  chunk?: number;
}

const TRIAL_COLUMNS = 'trial_id, study_id, number, state, datetime_start, datetime_complete';
const SQL = {
  revision: 'SELECT version_num FROM alembic_version',
  // Optuna creates a storage as: an empty file, then its tables with version_info, then alembic_version.
  creating: "SELECT count(*) = 0 OR sum(name = 'version_info') > 0 AS creating FROM sqlite_master WHERE type = 'table'",
  studies: `SELECT s.study_id, s.study_name,
              (SELECT group_concat(direction, ',') FROM (SELECT direction FROM study_directions d WHERE d.study_id = s.study_id ORDER BY objective)) AS directions
            FROM studies s ORDER BY s.study_id`,
  studyAttrs: 'SELECT study_id, key, value_json FROM study_user_attributes',
  // UNION ALL, not OR: the PK range plus PK lookups instead of a full scan (optuna.md §4).
  trials: `SELECT * FROM (SELECT ${TRIAL_COLUMNS} FROM trials WHERE trial_id > :wm ORDER BY trial_id LIMIT :limit)
           UNION ALL
           SELECT ${TRIAL_COLUMNS} FROM trials WHERE trial_id IN (SELECT value FROM json_each(:open)) AND trial_id <= :wm
           ORDER BY trial_id`,
  maxTrial: 'SELECT coalesce(max(trial_id), 0) AS max FROM trials',
  trialAt: `SELECT ${TRIAL_COLUMNS} FROM trials WHERE trial_id = ?`,
  values: 'SELECT trial_id, objective, value, value_type FROM trial_values WHERE trial_id IN (SELECT value FROM json_each(?))',
  params: 'SELECT trial_id, param_name, param_value, distribution_json FROM trial_params WHERE trial_id IN (SELECT value FROM json_each(?))',
  userAttrs: 'SELECT trial_id, key, value_json FROM trial_user_attributes WHERE trial_id IN (SELECT value FROM json_each(?))',
  intermediates: 'SELECT trial_id, count(*) AS n FROM trial_intermediate_values WHERE trial_id IN (SELECT value FROM json_each(?)) GROUP BY trial_id',
  hasHeartbeats: "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'trial_heartbeats'",
  // Signs of life of RUNNING trials: every row a worker writes for its trial (each through a UNIQUE index on trial_id).
  progress: (heartbeats: boolean) => `SELECT t.trial_id,
              (SELECT count(*) FROM trial_intermediate_values x WHERE x.trial_id = t.trial_id) || ':' ||
              (SELECT count(*) FROM trial_params x WHERE x.trial_id = t.trial_id) || ':' ||
              (SELECT count(*) FROM trial_user_attributes x WHERE x.trial_id = t.trial_id) || ':' ||
              (SELECT count(*) FROM trial_system_attributes x WHERE x.trial_id = t.trial_id) AS signature,
              ${heartbeats ? '(SELECT heartbeat FROM trial_heartbeats h WHERE h.trial_id = t.trial_id)' : 'NULL'} AS heartbeat
            FROM trials t WHERE t.trial_id IN (SELECT value FROM json_each(?))`,
} as const;

export class OptunaStorage {
  /** How many times the trials query ran (tests check that idle polls skip it). */
  trialQueries = 0;
  private db: Database.Database | null = null;
  private identity: string | null = null;
  /** The file last opened, and whether the path has held another since (gone, or another inode). */
  private lastOpened: string | null = null;
  private replaced = false;
  private lastDataVersion: number | null = null;
  /** Whether this file has trial_heartbeats (Optuna ≥ 2.5 creates it); asked once per connection. */
  private heartbeats: boolean | null = null;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly file: string,
    private readonly options: OptunaStorageOptions = {},
  ) {}

  read(request: ReadRequest): ReadResult {
    const db = this.connection();
    if (!db) return { kind: 'missing' };
    const dataVersion = db.pragma('data_version', { simple: true }) as number;
    if (!request.force && dataVersion === this.lastDataVersion) return { kind: 'unchanged' };
    // Deferred BEGIN: one consistent snapshot, held only for the queries below.
    let seenVersion = dataVersion;
    const result = db.transaction((): ReadResult => {
      const revision = this.revision();
      seenVersion = db.pragma('data_version', { simple: true }) as number; // of this snapshot
      // Caught while Optuna creates it: not there yet, rather than "not an Optuna storage".
      if (revision === null && (this.statement(SQL.creating).get() as { creating: number }).creating) return { kind: 'missing' };
      if (revision === null || !SUPPORTED_REVISIONS.includes(revision)) return { kind: 'unsupported', revision };
      return { kind: 'snapshot', revision, snapshot: this.snapshot(request), replaced: this.replaced };
    })();
    // Only once the read succeeded (a busy timeout must not make the next poll skip).
    this.lastDataVersion = seenVersion;
    if (result.kind === 'snapshot') this.replaced = false;
    return result;
  }

  close(): void {
    this.statements.clear();
    this.db?.close();
    this.db = null;
    this.identity = null;
    this.lastDataVersion = null;
    this.heartbeats = null;
  }

  /** Opens on first use and whenever the file was replaced; null while it does not exist. */
  private connection(): Database.Database | null {
    let identity: string;
    try {
      const stat = statSync(this.file);
      identity = `${stat.dev}:${stat.ino}`;
    } catch {
      this.replaced ||= this.lastOpened !== null;
      this.close();
      return null;
    }
    if (this.db && identity === this.identity) return this.db;
    this.close();
    this.db = new Database(this.file, { readonly: true, fileMustExist: true, timeout: this.options.busyTimeoutMs ?? 3000 });
    this.identity = identity;
    this.replaced ||= this.lastOpened !== null && this.lastOpened !== identity;
    this.lastOpened = identity;
    return this.db;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = (this.db as Database.Database).prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private revision(): string | null {
    try {
      const row = this.statement(SQL.revision).get() as { version_num: string } | undefined;
      return row?.version_num ?? null;
    } catch (error) {
      // No alembic_version: not an Optuna storage (yet). Anything else (busy) is a failed read.
      if (/no such table/.test(String((error as { message?: unknown }).message))) return null;
      throw error;
    }
  }

  private snapshot(request: ReadRequest): OptunaSnapshot {
    const chunk = this.options.chunk ?? 500;
    const studies = toStudies(this.statement(SQL.studies).all() as Parameters<typeof toStudies>[0], this.statement(SQL.studyAttrs).all() as Parameters<typeof toStudies>[1]);
    this.trialQueries += 1;
    const rows = this.statement(SQL.trials).all({ wm: request.watermark, limit: chunk, open: JSON.stringify(request.open) }) as TrialRow[];
    const { trials, more, finished, running } = sortTrials(rows, request.watermark, chunk);
    const at = this.statement(SQL.trialAt).get(request.watermark) as TrialRow | undefined;
    return {
      studies,
      trials,
      details: finished.length ? this.details(finished) : new Map(),
      maxTrialId: (this.statement(SQL.maxTrial).get() as { max: number }).max,
      watermarkTrial: at ? toTrial(at) : null,
      more,
      progress: running.length ? this.progress(running) : new Map(),
    };
  }

  private progress(ids: number[]): Map<number, TrialProgress> {
    this.heartbeats ??= (this.statement(SQL.hasHeartbeats).get() as { n: number }).n > 0;
    return toProgress(this.statement(SQL.progress(this.heartbeats)).all(JSON.stringify(ids)) as Parameters<typeof toProgress>[0]);
  }

  /** Only for trials that just finished: their rows are final (written with the state, §3 atomicity). */
  private details(ids: number[]): Map<number, RawTrialDetails> {
    const json = JSON.stringify(ids);
    const all = <K extends keyof DetailRows>(sql: string) => this.statement(sql).all(json) as DetailRows[K];
    return toDetails(ids, { values: all<'values'>(SQL.values), params: all<'params'>(SQL.params), userAttrs: all<'userAttrs'>(SQL.userAttrs), intermediates: all<'intermediates'>(SQL.intermediates) });
  }
}
