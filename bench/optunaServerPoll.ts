/**
 * Optuna poll cost on PostgreSQL (`BENCH_ONLY=optuna,optuna-server`): barista's source polling
 * a study of 10,000 and 100,000 trials on a throwaway PostgreSQL server (schema made by Optuna
 * itself, trials bulk-inserted with SQL: 5 params, 3 user attributes, 8 reports each, 4 zombie
 * RUNNING trials), beside, in the same run:
 * - the raw queries in node-pg: the change check (pg_current_snapshot() as the first statement
 *   of a REPEATABLE READ READ ONLY transaction), the counting check it replaces, and the same
 *   incremental SELECTs in one transaction;
 * - the SQLite figures of the `optuna` benchmark at the same size (when it ran before).
 * Idle: nothing committed. Changed: 10 trials finished since the last poll (inserted between
 * polls, not timed). Then MariaDB's idle poll against its raw change check and the counting
 * check. Skipped, saying why, without the server binaries or Debian's Optuna.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createConnection as createMysqlConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { OptunaSourceComponent } from '../src/agent/sources/OptunaSourceComponent';
import type { OptunaSourceConfig } from '../src/config/schema';
import { parseRules } from '../src/config/loadRules';
import { silentLogger } from '../src/logging/logger';
import { StateStore } from '../src/state/StateStore';
import { compileLogRules } from '../src/streams/logRules';
import { serverSql } from '../src/watchers/optunaServerSql';
import { findServer, startServer, type ThrowawayServer } from '../test/support/throwawayServer';
import { sqliteFigures, timeEachAsync, type Timed } from './optunaPoll';
import { fmt, makeTempDir, QUICK, removeTempDir, thousands } from './support';

const CHANGED = 10;
const CAT = (choices: string[]) => JSON.stringify({ name: 'CategoricalDistribution', attributes: { choices } });

/** Optuna's own schema (it creates it on first connection), then n trials in two studies by SQL. */
async function buildStudy(server: ThrowawayServer, db: string, n: number): Promise<void> {
  await server.admin([`CREATE DATABASE ${db}`]);
  const made = spawnSync('/usr/bin/python3', ['-c', `import optuna; optuna.storages.RDBStorage("${server.adminUrl(db).replace('postgresql://', 'postgresql+psycopg2://')}")`], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`Optuna could not create its schema: ${made.stderr}`);
  const big = Math.round(n * 0.9);
  const zombies = [0.2, 0.5, 0.8, 0.999].map((f) => Math.max(1, Math.round(n * f))).join(',');
  await server.admin(
    [
      "INSERT INTO studies (study_id, study_name) VALUES (1, 'big_a'), (2, 'big_b')",
      "INSERT INTO study_directions (direction, study_id, objective) VALUES ('MAXIMIZE', 1, 0), ('MINIMIZE', 2, 0)",
      `INSERT INTO study_user_attributes (study_id, key, value_json) VALUES (1, 'target_trials', '${n * 2}')`,
      `INSERT INTO trials (trial_id, number, study_id, state, datetime_start, datetime_complete)
       SELECT i, CASE WHEN i <= ${big} THEN i - 1 ELSE i - 1 - ${big} END, CASE WHEN i <= ${big} THEN 1 ELSE 2 END,
              (CASE WHEN i IN (${zombies}) THEN 'RUNNING' WHEN i % 10 = 0 THEN 'FAIL' WHEN i % 5 = 0 THEN 'PRUNED' ELSE 'COMPLETE' END)::trialstate,
              timestamp '2026-01-01' + i * interval '60 seconds',
              CASE WHEN i IN (${zombies}) THEN NULL ELSE timestamp '2026-01-01' + (i * 60 + 50) * interval '1 second' END
       FROM generate_series(1, ${n}) i`,
      `SELECT setval('trials_trial_id_seq', ${n})`,
      "INSERT INTO trial_values (trial_id, objective, value, value_type) SELECT trial_id, 0, (trial_id % 997) / 1000.0, 'FINITE' FROM trials WHERE state IN ('COMPLETE', 'PRUNED')",
      `INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json)
       SELECT trial_id, p.name, (trial_id % p.m)::float, p.dist FROM trials, (VALUES ('strategy', 3, '${CAT(['sma', 'ema', 'rsi'])}'), ('use_stop', 2, '${CAT(['true', 'false'])}'),
         ('lr', 100, '{"name": "FloatDistribution", "attributes": {"low": 0, "high": 100, "log": false, "step": null}}'),
         ('stop_pct', 20, '{"name": "FloatDistribution", "attributes": {"low": 0, "high": 20, "log": false, "step": null}}'),
         ('window', 45, '{"name": "IntDistribution", "attributes": {"low": 0, "high": 45, "log": false, "step": 1}}')) p(name, m, dist)`,
      "INSERT INTO trial_user_attributes (trial_id, key, value_json) SELECT trial_id, k, ((trial_id % 89) / 100.0)::text FROM trials, unnest(ARRAY['mean_sharpe_bot', 'total_return', 'timeframe']) k",
      "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) SELECT trial_id, s, s / 10.0, 'FINITE' FROM trials, generate_series(0, 7) s",
      'ANALYZE',
    ],
    db,
  );
}

/** Ten trials finished, as Optuna writes them (trial, values, params, attributes, one commit each). */
async function writeTen(writer: Client): Promise<void> {
  for (let i = 0; i < CHANGED; i++) {
    await writer.query('BEGIN');
    const { rows } = await writer.query(
      `INSERT INTO trials (number, study_id, state, datetime_start, datetime_complete)
       SELECT count(*), 1, $1::trialstate, now()::timestamp, now()::timestamp FROM trials WHERE study_id = 1 RETURNING trial_id`,
      [i % 4 === 3 ? 'PRUNED' : 'COMPLETE'],
    );
    const id = (rows[0] as { trial_id: number }).trial_id;
    await writer.query("INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES ($1, 0, $2, 'FINITE')", [id, Math.random()]);
    await writer.query(`INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES ($1, 'window', $2, '{"name": "IntDistribution", "attributes": {"low": 5, "high": 50, "log": false, "step": 1}}')`, [id, 5 + i]);
    await writer.query("INSERT INTO trial_user_attributes (trial_id, key, value_json) VALUES ($1, 'mean_sharpe_bot', $2)", [id, String(Math.random())]);
    await writer.query('COMMIT');
  }
}

function line(name: string, t: Timed): void {
  console.log(`  ${name.padEnd(62)} p50 ${fmt(t.p50, 3).padStart(8)} ms   p95 ${fmt(t.p95, 3).padStart(8)} ms`);
}

const config = (storage: string): OptunaSourceConfig => {
  const result = parseRules(`workspace: /w\nsources:\n  - { id: optuna, type: optuna, storage: "${storage}" }\n`, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as OptunaSourceConfig;
};

async function benchSize(server: ThrowawayServer, dir: string, n: number): Promise<void> {
  const db = `bench_${n}`;
  let t = Date.now();
  await buildStudy(server, db, n);
  console.log(`\nOptuna poll cost on PostgreSQL at ${thousands(n)} trials (study built in ${((Date.now() - t) / 1000).toFixed(1)} s; 4 zombie RUNNING trials)`);
  const state = StateStore.open({ path: path.join(dir, `state-${n}.db`) });
  const context = { workspace: dir, state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: () => undefined };
  const component = new OptunaSourceComponent(config(server.adminUrl(db)), context);
  const writer = new Client({ connectionString: server.adminUrl(db) });
  const raw = new Client({ connectionString: server.adminUrl(db) });
  await writer.connect();
  await raw.connect();
  try {
    t = Date.now();
    await component.pollOnce();
    console.log(`  first sight (read all ${thousands(n)} trials in chunks of 500, silently): ${thousands(Date.now() - t)} ms`);
    const iterations = QUICK ? 50 : 300;
    const idle = await timeEachAsync(iterations, () => component.pollOnce());
    const idleRaw = await timeEachAsync(iterations, async () => {
      await raw.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await raw.query('SELECT pg_current_snapshot()::text');
      await raw.query('COMMIT');
    });
    const snapshotOnly = await timeEachAsync(iterations, () => raw.query('SELECT pg_current_snapshot()::text'));
    const counting = await timeEachAsync(iterations, () => raw.query("SELECT count(*) FILTER (WHERE state = 'RUNNING'), count(*) FILTER (WHERE state = 'COMPLETE'), count(*), max(trial_id) FROM trials"));

    const busy = QUICK ? 20 : 100;
    const changed = await timeEachAsync(busy, () => component.pollOnce(), () => writeTen(writer));
    let wm = Number(((await raw.query('SELECT max(trial_id) AS m FROM trials')).rows[0] as { m: number }).m);
    const open = ((await raw.query("SELECT trial_id FROM trials WHERE state = 'RUNNING'")).rows as { trial_id: number }[]).map((r) => r.trial_id);
    const changedRaw = await timeEachAsync(
      busy,
      async () => {
        await raw.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await raw.query('SELECT pg_current_snapshot()::text');
        const rows = (
          await raw.query(
            `SELECT * FROM (SELECT trial_id, study_id, number, state::text, datetime_start::text, datetime_complete::text FROM trials WHERE trial_id > $1 ORDER BY trial_id LIMIT 500) n
             UNION ALL SELECT trial_id, study_id, number, state::text, datetime_start::text, datetime_complete::text FROM trials WHERE trial_id = ANY($2::int[]) AND trial_id <= $1 ORDER BY trial_id`,
            [wm, open],
          )
        ).rows as { trial_id: number }[];
        const ids = rows.filter((r) => r.trial_id > wm).map((r) => r.trial_id);
        for (const table of ['trial_values', 'trial_params', 'trial_user_attributes']) await raw.query(`SELECT * FROM ${table} WHERE trial_id = ANY($1::int[])`, [ids]);
        await raw.query('COMMIT');
        wm = ids.reduce((m, id) => Math.max(m, id), wm);
      },
      () => writeTen(writer),
    );
    const stats = component.server;
    line('barista poll, nothing committed (snapshot unchanged)', idle);
    line('  raw node-pg: BEGIN RR READ ONLY; pg_current_snapshot(); COMMIT', idleRaw);
    line('  raw node-pg: pg_current_snapshot() alone (one round trip)', snapshotOnly);
    line('  raw node-pg: the counting check (count(*) FILTER, max(trial_id))', counting);
    console.log(`  ratio (barista / raw transaction): ${(idle.p50 / idleRaw.p50).toFixed(2)}×`);
    line(`barista poll, ${CHANGED} trials finished (events, checkpoint, caches)`, changed);
    line('  raw node-pg: the same incremental SELECTs, one transaction', changedRaw);
    console.log(`  ratio (barista / raw): ${(changed.p50 / changedRaw.p50).toFixed(2)}×   (${thousands(stats?.statements ?? 0)} statements in all)`);
    const sqlite = sqliteFigures.get(n);
    if (sqlite) {
      line('  SQLite, same run: barista poll, nothing committed', sqlite.idle);
      line(`  SQLite, same run: barista poll, ${CHANGED} trials finished`, sqlite.changed);
    } else console.log('  (SQLite figures: run BENCH_ONLY=optuna,optuna-server to print them beside these)');
  } finally {
    component.stop();
    await writer.end();
    await raw.end();
    state.close();
  }
}

/**
 * MySQL/MariaDB, idle polls only: barista's poll against its change check (the tables'
 * UPDATE_TIME, once settled) and the counting check, raw in mysql2, at n trials.
 */
async function benchMysqlIdle(dir: string, sizes: number[]): Promise<void> {
  const found = findServer('mysql');
  const optuna = spawnSync('/usr/bin/python3', ['-c', 'import optuna, pymysql'], { encoding: 'utf8' });
  if (!found.ok || optuna.status !== 0) {
    console.log(`\nOptuna idle poll on MariaDB: SKIPPED (${found.ok ? '/usr/bin/python3 cannot import optuna and pymysql' : found.why})`);
    return;
  }
  const server = await startServer('mysql', path.join(dir, 'mariadb'));
  try {
    for (const n of sizes) {
      const db = `bench_${n}`;
      await server.admin([`CREATE DATABASE ${db}`]);
      const made = spawnSync('/usr/bin/python3', ['-c', `import optuna; optuna.storages.RDBStorage("${server.adminUrl(db).replace('mysql://', 'mysql+pymysql://')}")`], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`Optuna could not create its schema: ${made.stderr}`);
      await server.admin(
        [
          "INSERT INTO studies (study_id, study_name) VALUES (1, 'big')",
          "INSERT INTO study_directions (direction, study_id, objective) VALUES ('MAXIMIZE', 1, 0)",
          `INSERT INTO trials (trial_id, number, study_id, state, datetime_start, datetime_complete)
           SELECT seq, seq - 1, 1, IF(seq % 5 = 0, 'PRUNED', 'COMPLETE'), '2026-01-01' + INTERVAL seq MINUTE, '2026-01-01' + INTERVAL seq MINUTE + INTERVAL 50 SECOND FROM seq_1_to_${n}`,
          "INSERT INTO trial_values (trial_id, objective, value, value_type) SELECT trial_id, 0, (trial_id % 997) / 1000.0, 'FINITE' FROM trials",
        ],
        db,
      );
      const state = StateStore.open({ path: path.join(dir, `state-mysql-${n}.db`) });
      const context = { workspace: dir, state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: () => undefined };
      const component = new OptunaSourceComponent(config(server.adminUrl(db)), context);
      const raw = await createMysqlConnection({ host: server.host, port: server.port, user: 'root', database: db });
      try {
        await component.pollOnce();
        await new Promise((resolve) => setTimeout(resolve, 1100)); // the last commit's second must be over for the check to settle
        const iterations = QUICK ? 50 : 300;
        const idle = await timeEachAsync(iterations, () => component.pollOnce());
        const sql = serverSql('mysql');
        const check = await timeEachAsync(iterations, async () => {
          await raw.query(sql.begin);
          await raw.query(sql.changeToken);
          await raw.query('COMMIT');
        });
        const counting = await timeEachAsync(iterations, () => raw.query("SELECT sum(state = 'RUNNING'), sum(state = 'COMPLETE'), count(*), max(trial_id) FROM trials"));
        console.log(`\nOptuna idle poll on MariaDB at ${thousands(n)} trials`);
        line('barista poll, nothing committed (UPDATE_TIME settled, unchanged)', idle);
        line('  raw mysql2: START TRANSACTION …; UPDATE_TIME check; COMMIT', check);
        line('  raw mysql2: the counting check (sum(state = …), max(trial_id))', counting);
      } finally {
        component.stop();
        await raw.end();
        state.close();
      }
    }
  } finally {
    await server.stop();
  }
}

export async function benchOptunaServerPoll(): Promise<void> {
  const found = findServer('postgresql');
  const optuna = spawnSync('/usr/bin/python3', ['-c', 'import optuna, psycopg2'], { encoding: 'utf8' });
  if (!found.ok || optuna.status !== 0) {
    console.log(`\nOptuna poll cost on PostgreSQL: SKIPPED (${found.ok ? '/usr/bin/python3 cannot import optuna and psycopg2' : found.why})`);
    return;
  }
  const dir = makeTempDir('barista-bench-optuna-pg-');
  let server: ThrowawayServer | null = null;
  try {
    server = await startServer('postgresql', path.join(dir, 'pg'));
    for (const n of QUICK ? [10_000] : [10_000, 100_000]) await benchSize(server, dir, n);
    await server.stop();
    await benchMysqlIdle(dir, QUICK ? [10_000] : [10_000, 100_000]);
  } finally {
    await server?.stop();
    removeTempDir(dir);
  }
}
