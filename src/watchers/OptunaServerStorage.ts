/**
 * Read-only access to an Optuna RDB storage on PostgreSQL or MySQL/MariaDB: the SQLite reader's
 * reads (same ReadRequest, same ReadResult), over one connection, each poll one short read-only
 * transaction. Its first statement is a cheap exact change check (PostgreSQL: the transaction's
 * snapshot; MySQL: the tables' UPDATE_TIME once settled) so an idle poll costs one round trip
 * and skips the rest. Tables that do not exist yet, or a schema being created (tables without
 * a revision), read as 'missing'. A failed read closes the connection; the next one reconnects.
 */
import type { OptunaSnapshot, RawTrialDetails, TrialProgress } from './optunaRecords';
import { sortTrials, toDetails, toProgress, toStudies, toTrial, type DetailRows, type TrialRow } from './optunaRows';
import { SUPPORTED_REVISIONS, type ReadRequest, type ReadResult } from './OptunaStorage';
import { idList, serverSql, trialsParams, type ServerSql } from './optunaServerSql';
import type { ServerStorageUrl } from './optunaServerUrl';
import { connectSession, type ServerSession, type SessionOptions } from './serverSession';

export interface OptunaServerStorageOptions extends Omit<SessionOptions, 'onBroken'> {
  chunk?: number;
}

export class OptunaServerStorage {
  /** How many times the trials query ran (tests check that idle polls skip it). */
  trialQueries = 0;
  /** Round trips so far (the bench counts them). */
  statements = 0;
  private session: ServerSession | null = null;
  private connecting: Promise<ServerSession> | null = null;
  /** The change token of the last full read (null: read fully next time). */
  private lastToken: string | null = null;
  private heartbeats: boolean | null = null;
  private readonly sql: ServerSql;

  constructor(
    readonly url: ServerStorageUrl,
    private readonly options: OptunaServerStorageOptions = {},
  ) {
    this.sql = serverSql(url.dialect);
  }

  /** What to show for this storage: the URL without its password. */
  get display(): string {
    return this.url.display;
  }

  async read(request: ReadRequest): Promise<ReadResult> {
    const session = await this.connection();
    try {
      await this.query(session, this.sql.begin);
      const result = await this.inTransaction(session, request);
      await this.query(session, 'COMMIT');
      return result;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    this.connecting = null;
    this.lastToken = null;
    this.heartbeats = null;
    await session?.close();
  }

  private async inTransaction(session: ServerSession, request: ReadRequest): Promise<ReadResult> {
    const [change] = await this.query<{ token: string; settled: number | string }>(session, this.sql.changeToken);
    const token = Number(change.settled) ? String(change.token) : null; // unsettled: read fully again next time
    if (!request.force && token !== null && token === this.lastToken) return { kind: 'unchanged' };
    const [tables] = await this.query<{ ok: number | string }>(session, this.sql.tables);
    let result: ReadResult = { kind: 'missing' };
    if (Number(tables.ok)) {
      const [row] = await this.query<{ version_num: string }>(session, this.sql.revision);
      // Optuna writes alembic_version after creating the tables, in a transaction of its own.
      if (row) result = SUPPORTED_REVISIONS.includes(row.version_num) ? { kind: 'snapshot', revision: row.version_num, snapshot: await this.snapshot(session, request), replaced: false } : { kind: 'unsupported', revision: row.version_num };
    }
    this.lastToken = token;
    return result;
  }

  private async snapshot(session: ServerSession, request: ReadRequest): Promise<OptunaSnapshot> {
    const chunk = this.options.chunk ?? 500;
    const studies = toStudies(await this.query(session, this.sql.studies), await this.query(session, this.sql.studyAttrs));
    this.trialQueries += 1;
    const rows = await this.query<TrialRow>(session, this.sql.trials, trialsParams(this.url.dialect, request.watermark, chunk, request.open));
    const { trials, more, finished, running } = sortTrials(rows, request.watermark, chunk);
    const [at] = await this.query<TrialRow>(session, this.sql.trialAt, [request.watermark]);
    const [max] = await this.query<{ max: number | string }>(session, this.sql.maxTrial);
    return {
      studies,
      trials,
      details: finished.length ? await this.details(session, finished) : new Map(),
      maxTrialId: Number(max.max),
      watermarkTrial: at ? toTrial(at) : null,
      more,
      progress: running.length ? await this.progress(session, running) : new Map(),
    };
  }

  private async progress(session: ServerSession, ids: number[]): Promise<Map<number, TrialProgress>> {
    if (this.heartbeats === null) {
      const [row] = await this.query<{ n: number | string }>(session, this.sql.hasHeartbeats);
      this.heartbeats = Number(row.n) > 0;
    }
    return toProgress(await this.query(session, this.sql.progress(this.heartbeats), [this.ids(ids)]));
  }

  /** Only for trials that just finished: their rows are final (written with the state). */
  private async details(session: ServerSession, ids: number[]): Promise<Map<number, RawTrialDetails>> {
    const all = <K extends keyof DetailRows>(sql: string) => this.query<DetailRows[K][number]>(session, sql, [this.ids(ids)]);
    return toDetails(ids, { values: await all<'values'>(this.sql.values), params: await all<'params'>(this.sql.params), userAttrs: await all<'userAttrs'>(this.sql.userAttrs), intermediates: await all<'intermediates'>(this.sql.intermediates) });
  }

  private ids(ids: number[]): number[] {
    return this.url.dialect === 'mysql' ? idList(ids) : ids;
  }

  private query<T>(session: ServerSession, sql: string, params?: unknown[]): Promise<T[]> {
    this.statements += 1;
    return session.query<T>(sql, params);
  }

  private connection(): Promise<ServerSession> {
    if (this.session) return Promise.resolve(this.session);
    let mine: ServerSession | null = null;
    this.connecting ??= connectSession(this.url, {
      ...this.options,
      // The server went away while idle: the next read connects again (not if this one is already replaced).
      onBroken: () => {
        if (mine !== null && this.session === mine) void this.close();
      },
    }).then(
      (session) => {
        mine = session;
        this.session = session;
        this.connecting = null;
        return session;
      },
      (error: unknown) => {
        this.connecting = null;
        throw error;
      },
    );
    return this.connecting;
  }
}
