/**
 * The reads of an Optuna storage on a server, one template in two dialects (PostgreSQL, MySQL /
 * MariaDB). Everything comes back the way the SQLite reader returns it: enums as text, naive
 * timestamps as the text Optuna's SQLite storage holds (`YYYY-MM-DD HH:MM:SS.ffffff`, no zone
 * applied: node-pg would read them as local time), the heartbeat converted to UTC, counts as numbers.
 */
import type { ServerDialect } from './optunaServerUrl';

interface Grammar {
  /** The i-th (1-based) parameter. */
  param(i: number): string;
  /** `column` among the ids of the i-th parameter (an array). */
  inIds(column: string, i: number): string;
  text(column: string): string;
  /** A naive DATETIME as written. */
  time(column: string): string;
  /** A DATETIME written as the session's CURRENT_TIMESTAMP, in UTC. */
  utcTime(column: string): string;
  /** Comma-joined values of `column`, by `order`. */
  joined(column: string, order: string): string;
  /** 1 when the table exists (no query on a missing table: it would log an ERROR at every poll). */
  tableExists(name: string): string;
}

const PG_TIME = `'YYYY-MM-DD HH24:MI:SS.US'`;
const MY_TIME = `'%Y-%m-%d %H:%i:%s.%f'`;

const GRAMMARS: Record<ServerDialect, Grammar> = {
  postgresql: {
    param: (i) => `$${i}`,
    inIds: (column, i) => `${column} = ANY($${i}::int[])`,
    text: (column) => `${column}::text`,
    time: (column) => `to_char(${column}, ${PG_TIME})`,
    utcTime: (column) => `to_char((${column} AT TIME ZONE current_setting('TimeZone')) AT TIME ZONE 'UTC', ${PG_TIME})`,
    joined: (column, order) => `string_agg(${column}::text, ',' ORDER BY ${order})`,
    tableExists: (name) => `(to_regclass('${name}') IS NOT NULL)::int`,
  },
  mysql: {
    param: () => '?',
    inIds: (column) => `${column} IN (?)`,
    text: (column) => `CAST(${column} AS CHAR)`,
    time: (column) => `DATE_FORMAT(${column}, ${MY_TIME})`,
    utcTime: (column) => `DATE_FORMAT(CONVERT_TZ(${column}, @@session.time_zone, '+00:00'), ${MY_TIME})`,
    joined: (column, order) => `GROUP_CONCAT(${column} ORDER BY ${order} SEPARATOR ',')`,
    tableExists: (name) => `(SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '${name}')`,
  },
};

export interface ServerSql {
  begin: string;
  /** First statement of the transaction: a value that moves whenever something committed (see `changeCheck`). */
  changeToken: string;
  tables: string;
  revision: string;
  studies: string;
  studyAttrs: string;
  /** Params: watermark, limit, open ids, watermark (MySQL has no numbered params). */
  trials: string;
  maxTrial: string;
  trialAt: string;
  values: string;
  params: string;
  userAttrs: string;
  intermediates: string;
  hasHeartbeats: string;
  progress(heartbeats: boolean): string;
}

export function serverSql(dialect: ServerDialect): ServerSql {
  const g = GRAMMARS[dialect];
  const trialColumns = `trial_id, study_id, number, ${g.text('state')} AS state, ${g.time('datetime_start')} AS datetime_start, ${g.time('datetime_complete')} AS datetime_complete`;
  const key = dialect === 'mysql' ? '`key`' : 'key'; // reserved in MySQL
  const count = (table: string) => `(SELECT count(*) FROM ${table} x WHERE x.trial_id = t.trial_id)`;
  return {
    begin: dialect === 'postgresql' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY',
    changeToken:
      dialect === 'postgresql'
        ? // Cluster-wide: any commit moves it (extra reads, never missed ones); read-only transactions do not.
          'SELECT pg_current_snapshot()::text AS token, 1 AS settled'
        : // InnoDB stamps a table's UPDATE_TIME at commit, to the second: the same stamp is only
          // final once the server's clock has left that second.
          `SELECT coalesce(max(update_time), '') AS token, coalesce(max(update_time) < now(), 1) AS settled FROM information_schema.tables WHERE table_schema = DATABASE()`,
    tables: `SELECT ${g.tableExists('trials')} * ${g.tableExists('alembic_version')} AS ok`,
    revision: 'SELECT version_num FROM alembic_version',
    studies: `SELECT s.study_id, s.study_name, (SELECT ${g.joined('d.direction', 'd.objective')} FROM study_directions d WHERE d.study_id = s.study_id) AS directions FROM studies s ORDER BY s.study_id`,
    studyAttrs: `SELECT study_id, ${key}, value_json FROM study_user_attributes`,
    // UNION ALL, not OR: the PK range plus PK lookups instead of a full scan.
    trials: `SELECT * FROM (SELECT ${trialColumns} FROM trials WHERE trial_id > ${g.param(1)} ORDER BY trial_id LIMIT ${g.param(2)}) n
             UNION ALL
             SELECT ${trialColumns} FROM trials WHERE ${g.inIds('trial_id', 3)} AND trial_id <= ${g.param(1)}
             ORDER BY trial_id`,
    maxTrial: 'SELECT coalesce(max(trial_id), 0) AS max FROM trials',
    trialAt: `SELECT ${trialColumns} FROM trials WHERE trial_id = ${g.param(1)}`,
    values: `SELECT trial_id, objective, value, ${g.text('value_type')} AS value_type FROM trial_values WHERE ${g.inIds('trial_id', 1)}`,
    params: `SELECT trial_id, param_name, param_value, distribution_json FROM trial_params WHERE ${g.inIds('trial_id', 1)}`,
    userAttrs: `SELECT trial_id, ${key}, value_json FROM trial_user_attributes WHERE ${g.inIds('trial_id', 1)}`,
    intermediates: `SELECT trial_id, count(*) AS n FROM trial_intermediate_values WHERE ${g.inIds('trial_id', 1)} GROUP BY trial_id`,
    hasHeartbeats: `SELECT ${g.tableExists('trial_heartbeats')} AS n`,
    progress: (heartbeats) => `SELECT t.trial_id,
              concat_ws(':', ${count('trial_intermediate_values')}, ${count('trial_params')}, ${count('trial_user_attributes')}, ${count('trial_system_attributes')}) AS signature,
              ${heartbeats ? `(SELECT ${g.utcTime('h.heartbeat')} FROM trial_heartbeats h WHERE h.trial_id = t.trial_id)` : 'NULL'} AS heartbeat
            FROM trials t WHERE ${g.inIds('t.trial_id', 1)}`,
  };
}

/** The parameters of `trials` in the dialect's order. */
export function trialsParams(dialect: ServerDialect, watermark: number, limit: number, open: number[]): unknown[] {
  return dialect === 'postgresql' ? [watermark, limit, open] : [watermark, limit, idList(open), watermark];
}

/** MySQL's `IN (?)` needs at least one id; trial ids are positive. */
export function idList(ids: number[]): number[] {
  return ids.length ? ids : [-1];
}
