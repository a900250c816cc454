/**
 * Optuna poll cost (`BENCH_ONLY=optuna`): barista's OptunaSourceComponent polling a SQLite
 * storage of 10,000 and 100,000 trials (built with SQL in Optuna's schema, 5 params, 3 user
 * attributes and 8 reports per trial, 4 zombie RUNNING trials spread through it), beside:
 * - the same reads in raw better-sqlite3 (data_version for an idle poll; the incremental
 *   trials query plus the details of the changed trials in one transaction for a busy one);
 * - a full read of all trials with their values and params, as a naive watcher would do.
 * Idle: nothing committed since the last poll. Changed: 10 trials finished since the last poll
 * (written by an Optuna-like writer between polls, not timed).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { OptunaSourceComponent } from '../src/agent/sources/OptunaSourceComponent';
import type { OptunaSourceConfig } from '../src/config/schema';
import { parseRules } from '../src/config/loadRules';
import { silentLogger } from '../src/logging/logger';
import { StateStore } from '../src/state/StateStore';
import { OptunaStorage } from '../src/watchers/OptunaStorage';
import { compileLogRules } from '../src/streams/logRules';
import { CATEGORICAL, createOptunaStorage, FLOAT, INT, OptunaWriter } from '../test/fixtures/optuna/optunaFixture';
import { fmt, makeTempDir, percentile, QUICK, removeTempDir, thousands } from './support';

const CHANGED = 10;

/** Optuna's tables filled with `n` trials in two studies (90 % / 10 %), in one transaction. */
function buildStorage(file: string, n: number): void {
  createOptunaStorage(file, 'v3.2.0.a');
  const db = new Database(file);
  const big = Math.round(n * 0.9);
  const zombies = [0.2, 0.5, 0.8, 0.999].map((f) => Math.max(1, Math.round(n * f)));
  db.transaction(() => {
    db.exec("INSERT INTO studies (study_id, study_name) VALUES (1, 'big_a'), (2, 'big_b')");
    db.exec("INSERT INTO study_directions (direction, study_id, objective) VALUES ('MAXIMIZE', 1, 0), ('MINIMIZE', 2, 0)");
    db.exec(`INSERT INTO study_user_attributes (study_id, key, value_json) VALUES (1, 'target_trials', '${n * 2}')`);
    const seq = `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ${n})`;
    db.exec(`${seq}
      INSERT INTO trials (trial_id, number, study_id, state, datetime_start, datetime_complete)
      SELECT i, CASE WHEN i <= ${big} THEN i - 1 ELSE i - 1 - ${big} END, CASE WHEN i <= ${big} THEN 1 ELSE 2 END,
             CASE WHEN i IN (${zombies.join(',')}) THEN 'RUNNING' WHEN i % 10 = 0 THEN 'FAIL' WHEN i % 5 = 0 THEN 'PRUNED' ELSE 'COMPLETE' END,
             strftime('%Y-%m-%d %H:%M:%f000', '2026-01-01', '+' || (i * 60) || ' seconds'),
             CASE WHEN i IN (${zombies.join(',')}) THEN NULL ELSE strftime('%Y-%m-%d %H:%M:%f000', '2026-01-01', '+' || (i * 60 + 50) || ' seconds') END
      FROM seq`);
    db.exec(`INSERT INTO trial_values (trial_id, objective, value, value_type) SELECT trial_id, 0, (trial_id % 997) / 1000.0, 'FINITE' FROM trials WHERE state IN ('COMPLETE', 'PRUNED')`);
    const params: [string, string, string][] = [
      ['strategy', 'trial_id % 3', CATEGORICAL(['sma', 'ema', 'rsi'])],
      ['use_stop', 'trial_id % 2', CATEGORICAL([true, false])],
      ['lr', '0.0001 + (trial_id % 100) / 1000.0', FLOAT(1e-4, 0.1)],
      ['stop_pct', '(trial_id % 20) / 100.0', FLOAT(0, 0.2)],
      ['window', '5 + trial_id % 45', INT(5, 50)],
    ];
    for (const [name, value, dist] of params) db.prepare(`INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) SELECT trial_id, ?, ${value}, ? FROM trials`).run(name, dist);
    for (const key of ['mean_sharpe_bot', 'total_return', 'timeframe']) db.prepare(`INSERT INTO trial_user_attributes (trial_id, key, value_json) SELECT trial_id, ?, CAST((trial_id % 89) / 100.0 AS TEXT) FROM trials`).run(key);
    db.exec(`WITH RECURSIVE steps(s) AS (SELECT 0 UNION ALL SELECT s + 1 FROM steps WHERE s < 7)
      INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) SELECT trial_id, s, s / 10.0, 'FINITE' FROM trials, steps`);
  })();
  db.close();
}

const config = (storage: string): OptunaSourceConfig => {
  const result = parseRules(`workspace: /w\nsources:\n  - { id: optuna, type: optuna, storage: "${storage}" }\n`, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as OptunaSourceConfig;
};

export interface Timed {
  p50: number;
  p95: number;
  mean: number;
}

/** This run's SQLite figures by size, for the PostgreSQL benchmark to print beside its own. */
export const sqliteFigures = new Map<number, { idle: Timed; changed: Timed }>();

function summarise(samples: number[]): Timed {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Times `timed` only (ms per call); `untimed` runs before each call (the writer's commits). */
function timeEach(iterations: number, timed: () => void, untimed: () => void = () => undefined): Timed {
  const samples: number[] = [];
  for (let i = 0; i < iterations + 20; i++) {
    untimed();
    const start = process.hrtime.bigint();
    timed();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (i >= 20) samples.push(ms); // the first ones warm the caches up
  }
  return summarise(samples);
}

/** timeEach for asynchronous work (each call awaited). */
export async function timeEachAsync(iterations: number, timed: () => Promise<unknown>, untimed: () => Promise<unknown> = async () => undefined): Promise<Timed> {
  const samples: number[] = [];
  for (let i = 0; i < iterations + 20; i++) {
    await untimed();
    const start = process.hrtime.bigint();
    await timed();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (i >= 20) samples.push(ms);
  }
  return summarise(samples);
}

function line(name: string, t: Timed): void {
  console.log(`  ${name.padEnd(58)} p50 ${fmt(t.p50, 3).padStart(8)} ms   p95 ${fmt(t.p95, 3).padStart(8)} ms`);
}

const RAW_TRIALS = `SELECT * FROM (SELECT trial_id, study_id, number, state, datetime_start, datetime_complete FROM trials WHERE trial_id > :wm ORDER BY trial_id LIMIT 500)
  UNION ALL SELECT trial_id, study_id, number, state, datetime_start, datetime_complete FROM trials WHERE trial_id IN (SELECT value FROM json_each(:open)) AND trial_id <= :wm ORDER BY trial_id`;

function benchSize(n: number): void {
  const dir = makeTempDir('barista-bench-optuna-');
  try {
    const file = path.join(dir, 'optuna.db');
    let t = Date.now();
    buildStorage(file, n);
    console.log(`\nOptuna poll cost at ${thousands(n)} trials (storage built in ${((Date.now() - t) / 1000).toFixed(1)} s; 4 zombie RUNNING trials)`);

    const state = StateStore.open({ path: path.join(dir, 'state.db') });
    // The storage predates barista's first start: its first sight is the silent baseline measured here.
    const context = { workspace: dir, state, logger: silentLogger(), firstStartedAt: Date.now(), logRules: () => compileLogRules([]), publish: () => undefined };
    const component = new OptunaSourceComponent(config(`sqlite:///${file}`), context);
    t = Date.now();
    component.poll();
    console.log(`  first sight (read all ${thousands(n)} trials in chunks of 500, silently): ${thousands(Date.now() - t)} ms`);

    const writer = new OptunaWriter(file);
    writer.db.pragma('synchronous = OFF'); // the writer's durability is not what is measured
    const raw = new Database(file, { readonly: true, fileMustExist: true, timeout: 3000 });
    const details = ['SELECT trial_id, objective, value, value_type FROM trial_values', 'SELECT trial_id, param_name, param_value, distribution_json FROM trial_params', 'SELECT trial_id, key, value_json FROM trial_user_attributes'].map((sql) =>
      raw.prepare(`${sql} WHERE trial_id IN (SELECT value FROM json_each(?))`),
    );
    const trialsQuery = raw.prepare(RAW_TRIALS);
    try {
      const idle = timeEach(QUICK ? 500 : 3000, () => component.poll());
      const idleRaw = timeEach(QUICK ? 500 : 3000, () => raw.pragma('data_version', { simple: true }));

      const writeTen = () => {
        for (let i = 0; i < CHANGED; i++) writer.trial(1 + (i % 2), i % 4 === 3 ? 'PRUNED' : 'COMPLETE', Math.random(), { window: [5 + i, INT(5, 50)] }, { mean_sharpe_bot: String(Math.random()) });
      };
      const iterations = QUICK ? 50 : 200;
      const changed = timeEach(iterations, () => component.poll(), writeTen);

      // The same SELECTs in raw better-sqlite3: one transaction, trials since the watermark plus the open ones, details of the new ones.
      let wm = (raw.prepare('SELECT max(trial_id) AS m FROM trials').get() as { m: number }).m;
      const open = JSON.stringify((raw.prepare("SELECT trial_id FROM trials WHERE state = 'RUNNING'").all() as { trial_id: number }[]).map((r) => r.trial_id));
      const read = raw.transaction(() => {
        raw.pragma('data_version', { simple: true });
        const rows = trialsQuery.all({ wm, open }) as { trial_id: number }[];
        const ids = JSON.stringify(rows.filter((r) => r.trial_id > wm).map((r) => r.trial_id));
        for (const statement of details) statement.all(ids);
        wm = rows.reduce((m, r) => Math.max(m, r.trial_id), wm);
      });
      const changedRaw = timeEach(iterations, () => read(), writeTen);

      // barista's reader alone (the same SELECTs, rows turned into a snapshot), without the view, events and commit.
      const reader = new OptunaStorage(file);
      let readerWm = wm;
      const readOnly = timeEach(
        iterations,
        () => {
          const result = reader.read({ watermark: readerWm, open: JSON.parse(open) as number[] });
          if (result.kind === 'snapshot') readerWm = result.snapshot.maxTrialId;
        },
        writeTen,
      );
      reader.close();

      const fullRead = raw.prepare(`SELECT t.trial_id, t.study_id, t.number, t.state, t.datetime_start, t.datetime_complete, v.value, v.value_type,
        (SELECT json_group_object(param_name, param_value) FROM trial_params p WHERE p.trial_id = t.trial_id) AS params
        FROM trials t LEFT JOIN trial_values v ON v.trial_id = t.trial_id AND v.objective = 0`);
      const full = timeEach(QUICK ? 3 : 10, () => fullRead.all());

      sqliteFigures.set(n, { idle, changed });
      line('barista poll, nothing committed (data_version unchanged)', idle);
      line('  raw better-sqlite3: PRAGMA data_version', idleRaw);
      console.log(`  ratio (barista / raw): ${(idle.p50 / idleRaw.p50).toFixed(2)}×   target ≤ 2 ms: ${idle.p50 <= 2 ? 'met' : 'MISSED'}`);
      line(`barista poll, ${CHANGED} trials finished (events, checkpoint, caches)`, changed);
      line('  raw better-sqlite3: the same incremental SELECTs, one tx', changedRaw);
      line('  barista OptunaStorage.read alone (no view, events, commit)', readOnly);
      console.log(`  ratio (barista / raw): ${(changed.p50 / changedRaw.p50).toFixed(2)}×   target ≤ 10 ms: ${changed.p50 <= 10 ? 'met' : 'MISSED'}`);
      line('full read of all trials with values and params (raw)', full);
      console.log(`  full read / barista busy poll: ${(full.p50 / changed.p50).toFixed(0)}×`);
    } finally {
      raw.close();
      writer.close();
      component.stop();
      state.close();
    }
  } finally {
    removeTempDir(dir);
  }
}

export function benchOptunaPoll(): void {
  for (const n of QUICK ? [10_000] : [10_000, 100_000]) benchSize(n);
}
