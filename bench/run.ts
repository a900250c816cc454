/**
 * `npm run bench`: each figure beside a baseline measured in the same run on the same data.
 * Later components add their benchmarks here.
 *
 * BENCH_ONLY=rules,state,backlog,latency,idle,process,optuna,optuna-server,notify,notify-latency,chart,queries,commands,bot-idle,many-files,burst,regex,slow-discord,state-30d runs only the named ones; BENCH_QUICK=1 uses
 * smaller sizes (backlog 50 MB, latency 200 lines, idle 10 s). The default run is the full one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import { parseRules } from '../src/config/loadRules';
import { StateStore } from '../src/state/StateStore';
import { benchBotIdle } from './botIdle';
import { benchChartRender } from './chartRender';
import { benchCommandLatency } from './commandLatency';
import { benchIdleWatch } from './idleWatch';
import { benchBurst, benchManyFiles } from './manyFiles';
import { benchNotifyLatency } from './notifyLatency';
import { benchNotifyThroughput } from './notifyThroughput';
import { benchOptunaPoll } from './optunaPoll';
import { benchOptunaServerPoll } from './optunaServerPoll';
import { measure, printComparison } from './measure';
import { benchProcessProbe } from './processProbe';
import { benchQueries } from './queries';
import { benchRegexFallback } from './regexFallback';
import { benchSlowDiscord } from './slowDiscord';
import { benchStateGrowth } from './stateGrowth';
import { installCleanupHooks, QUICK, selected } from './support';
import { benchTailBacklog } from './tailBacklog';
import { benchTailLatency } from './tailLatency';

const root = path.resolve(__dirname, '..', '..');
const rulesText = readFileSync(path.join(root, 'config', 'rules.yaml'), 'utf8');

function benchRulesLoading(): void {
  const subject = measure('barista parseRules (positions, ${VAR}, schema)', 500, () => {
    const result = parseRules(rulesText, 'rules.yaml', {});
    if (!result.ok) throw new Error('shipped rules invalid');
  });
  const baseline = measure('yaml.parse only', 500, () => parseYaml(rulesText));
  printComparison('Loading the shipped rules.yaml (a hot reload does this once)', subject, baseline);
}

function benchStateWrites(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'barista-bench-'));
  try {
    const store = StateStore.open({ path: path.join(dir, 'state.db') });
    const insert = store.db.prepare('INSERT INTO events (id, type, severity, at, source, subject, fields, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const checkpoint = store.db.prepare(
      'INSERT INTO checkpoints (source, key, identity, position, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, key) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at',
    );
    const batch = 100;
    const subject = measure(`StateStore: ${batch} events + checkpoint per tx`, 200, (i) => {
      store.transaction(() => {
        for (let j = 0; j < batch; j += 1) insert.run(`e${i}-${j}`, 'trade.executed', 'info', Date.now(), 'sessions', 'trial250', '{"qty":1}', Date.now());
        checkpoint.run('sessions', 'a.csv', '1:2:abc', JSON.stringify({ offset: i }), Date.now());
      });
    });
    store.close();

    const raw = new Database(path.join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE events (id TEXT PRIMARY KEY, type TEXT, severity TEXT, at INTEGER, source TEXT, subject TEXT, fields TEXT, created_at INTEGER)');
    const rawInsert = raw.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const baseline = measure(`raw better-sqlite3: ${batch} inserts per tx`, 200, (i) => {
      raw.transaction(() => {
        for (let j = 0; j < batch; j += 1) rawInsert.run(`e${i}-${j}`, 'trade.executed', 'info', Date.now(), 'sessions', 'trial250', '{"qty":1}', Date.now());
      })();
    });
    raw.close();
    printComparison(`Committing a batch of ${batch} events with its checkpoint (per batch)`, subject, baseline);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const benchmarks: [name: string, run: () => void | Promise<void>][] = [
  ['rules', benchRulesLoading],
  ['state', benchStateWrites],
  ['backlog', benchTailBacklog],
  ['latency', benchTailLatency],
  ['idle', benchIdleWatch],
  ['process', benchProcessProbe],
  ['optuna', benchOptunaPoll],
  ['optuna-server', benchOptunaServerPoll],
  ['notify', benchNotifyThroughput],
  ['notify-latency', benchNotifyLatency],
  ['chart', benchChartRender],
  ['queries', benchQueries],
  ['commands', benchCommandLatency],
  ['bot-idle', benchBotIdle],
  ['many-files', benchManyFiles],
  ['burst', benchBurst],
  ['regex', benchRegexFallback],
  ['slow-discord', benchSlowDiscord],
  ['state-30d', benchStateGrowth],
];

async function main(): Promise<void> {
  installCleanupHooks();
  const names = benchmarks.map(([name]) => name);
  const unknown = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter((s) => s && !names.includes(s));
  if (unknown.length) {
    console.error(`BENCH_ONLY: unknown benchmark ${unknown.join(', ')} (known: ${names.join(', ')})`);
    process.exitCode = 2;
    return;
  }
  console.log(`barista bench — node ${process.version}, ${os.cpus().length} cores${QUICK ? ' (BENCH_QUICK: smaller sizes)' : ''}`);
  for (const [name, run] of benchmarks) {
    if (!selected(name)) continue;
    try {
      await run();
    } catch (error) {
      // One failed benchmark does not hide the others' figures; the run still exits non-zero.
      console.log(`\n${name}: FAILED — ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    }
  }
}

void main();
