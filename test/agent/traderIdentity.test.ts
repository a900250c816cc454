/**
 * One name per trader across sources, with a real child process impersonating the trader (a
 * Python script named like it, in a temp folder): started with `--log-file
 * paper_trades/x_session.csv` and its stdout appended to the anonymous `logs/paper_trader.log`,
 * whose name alone says nothing of x. The process probe ties them: the log's events are x's,
 * x's exit mutes x's risk events from the log, and what was learnt survives a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Component, ComponentContext } from '../../src/agent/Component';
import { CsvSourceComponent } from '../../src/agent/sources/CsvSourceComponent';
import { JsonSourceComponent } from '../../src/agent/sources/JsonSourceComponent';
import { LogSourceComponent } from '../../src/agent/sources/LogSourceComponent';
import { ProcessSourceComponent } from '../../src/agent/sources/ProcessSourceComponent';
import { parseRules } from '../../src/config/loadRules';
import type { CsvSourceConfig, JsonSourceConfig, LogSourceConfig, ProcessSourceConfig, RulesFile } from '../../src/config/schema';
import { silentLogger } from '../../src/logging/logger';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { resolveTrader, traderDirectory, traderNames } from '../../src/readModel/traders';
import { StateStore } from '../../src/state/StateStore';
import { compileLogRules } from '../../src/streams/logRules';
import { Inhibitor } from '../../src/streams/notify/inhibition';
import type { TrackedProcess } from '../../src/streams/processLifecycle';
import { ProcessProbe } from '../../src/watchers/ProcessProbe';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const PYTHON = '/usr/bin/python3';
const TRADER_SCRIPT = 'paper_trader_alpaca_polling.py';
const STOP_LOSS = '  ⚠️  STOP-LOSS triggered for ETH/USD: down 10.4% from entry $2712.55';
// Prints its banner, waits for the test to say go (the probe has seen it), prints a stop-loss.
const IMPERSONATOR = `import os, sys, time
print("Starting Alpaca paper trading (REST API polling)...", flush=True)
while not os.path.exists(os.environ["GO_FILE"]):
    time.sleep(0.02)
print(${JSON.stringify(STOP_LOSS)}, flush=True)
time.sleep(600)
`;
const HEADER = 'timestamp,cash,total_asset,reward,holding_BTC/USD,price_BTC/USD,action_BTC/USD\r\n';
const row = (hour: number, cash: number, btc: number) => `2026-02-10T${String(hour).padStart(2, '0')}:00:00+00:00,${cash.toFixed(6)},${(cash + btc * 50000).toFixed(6)},0.000000,${btc.toFixed(6)},50000.000000,0.000000\r\n`;

const tempDir = useTempDir();
const ws = () => path.join(tempDir(), 'ws');
let state: StateStore;
let published: BaristaEvent[];
let components: Component[];
let child: ChildProcess | null;

function rulesFile(): RulesFile {
  const trader = `${path.basename(tempDir())}/scripts/${TRADER_SCRIPT}`;
  const yaml = `workspace: /w
sources:
  - { id: processes, type: process, match: { trader: "${trader}" }, interval: 100ms }
  - { id: trader-log, type: log, paths: ["logs/paper_trader*.log"], start_at: beginning }
  - { id: sessions, type: csv, paths: ["paper_trades/*.csv"], start_at: beginning }
  - { id: heartbeats, type: json, role: heartbeat, paths: ["paper_trades/*heartbeat*"], stale_grace: 5m }
rules:
  - id: stop-loss
    source: trader-log
    match: 'STOP-LOSS triggered for (?<symbol>\\S+): down (?<pct>[\\d.]+)% from entry \\$(?<entry>[\\d.]+)'
    emit: { type: risk.stop_loss, severity: warning }
`;
  const result = parseRules(yaml, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config;
}

function startSources(): void {
  const config = rulesFile();
  const context: ComponentContext = { workspace: ws(), state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules(config.rules), publish: (events) => published.push(...events) };
  const [processes, log, csv, heartbeats] = config.sources;
  components = [
    new ProcessSourceComponent(processes as ProcessSourceConfig, context, { probe: new ProcessProbe({ diskPath: ws(), graphics: async () => [] }) }),
    new LogSourceComponent(log as LogSourceConfig, context),
    new CsvSourceComponent(csv as CsvSourceConfig, context),
    new JsonSourceComponent(heartbeats as JsonSourceConfig, context),
  ];
  for (const component of components) void component.start();
}

async function stopSources(): Promise<void> {
  for (const component of components) await component.stop();
  components = [];
}

const of = (type: string) => published.filter((e) => e.type === type);
const cachedProcesses = () => state.getCache<TrackedProcess[]>('processes')?.value ?? [];

beforeEach(() => {
  for (const dir of ['logs', 'paper_trades', 'scripts']) mkdirSync(path.join(ws(), dir), { recursive: true });
  mkdirSync(path.join(tempDir(), 'scripts'), { recursive: true });
  writeFileSync(path.join(tempDir(), 'scripts', TRADER_SCRIPT), IMPERSONATOR);
  state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  published = [];
  components = [];
  child = null;
});

afterEach(async () => {
  await stopSources();
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  state.close();
});

describe('one trader, one name, across its process, log, CSV and heartbeat', () => {
  it('names the anonymous log by the CSV its process writes, mutes its risk events once it exited, and remembers across a restart', async () => {
    startSources();
    // Impersonate the trader: `--log-file paper_trades/x_session.csv`, stdout >> logs/paper_trader.log.
    const goFile = path.join(tempDir(), 'go');
    const out = openSync(path.join(ws(), 'logs', 'paper_trader.log'), 'a');
    child = spawn(PYTHON, ['-u', path.join(tempDir(), 'scripts', TRADER_SCRIPT), '--model-dir', 'deployments/trial_7_live', '--log-file', 'paper_trades/x_session.csv', '--timeframe', '1h'], {
      cwd: ws(),
      stdio: ['ignore', out, out],
      env: { ...process.env, GO_FILE: goFile },
    });
    closeSync(out);
    await new Promise<void>((resolve, reject) => child!.once('spawn', resolve).once('error', reject));

    // The probe ties the files together.
    await waitFor(() => traderDirectory(state).files['logs/paper_trader.log'] === 'x', { what: 'the probe to learn logs/paper_trader.log' });
    expect(cachedProcesses().find((p) => p.pid === child!.pid)).toMatchObject({
      subject: 'x',
      trader: { name: 'x', csv: 'paper_trades/x_session.csv', log: 'logs/paper_trader.log', heartbeat: 'paper_trades/x_heartbeat.json', model_dir: 'deployments/trial_7_live' },
    });

    // What the trader writes: a stop-loss line in its log, bars in its CSV, a heartbeat.
    writeFileSync(goFile, '');
    writeFileSync(path.join(ws(), 'paper_trades', 'x_session.csv'), HEADER + row(0, 500, 0) + row(1, 300, 0.004));
    writeFileSync(path.join(ws(), 'paper_trades', 'x_heartbeat.json'), JSON.stringify({ timestamp: new Date().toISOString(), next_poll_scheduled: new Date(Date.now() + 3_600_000).toISOString(), pid: child.pid, poll_count: 1 }));
    const [risk] = await waitFor(() => (of('risk.stop_loss').length === 1 ? of('risk.stop_loss') : null), { what: 'the stop-loss from the log' });
    await waitFor(() => of('trade.executed').length === 1 && state.getCache('heartbeat:x'), { what: 'the trade from the CSV and the heartbeat' });
    expect(risk).toMatchObject({ subject: 'x', source: 'trader-log', fields: { symbol: 'ETH/USD', file: 'logs/paper_trader.log' } });
    expect(of('trade.executed')[0]).toMatchObject({ subject: 'x', fields: { trader: 'x', file: 'paper_trades/x_session.csv', side: 'BUY' } });
    expect(state.getCache('portfolio:x')).toBeDefined();

    // The trader dies; a line it wrote is read after the probe saw it go (a late 8 KB burst).
    child.kill('SIGTERM');
    const exited = await waitFor(() => of('trader.exited')[0], { what: 'trader.exited' });
    expect(exited).toMatchObject({ subject: 'x', fields: { trader: 'x', csv_file: 'paper_trades/x_session.csv', log: 'logs/paper_trader.log' } });
    appendFileSync(path.join(ws(), 'logs', 'paper_trader.log'), `${STOP_LOSS}\n`);
    await waitFor(() => of('risk.stop_loss').length === 2, { what: 'the late stop-loss' });

    // The notification policy's inhibition: x is down, so x's risk event from the log is muted.
    const inhibitor = new Inhibitor();
    const judged = published.map((e) => [e.type, e.subject, inhibitor.judge(e)]).filter(([type]) => type === 'risk.stop_loss' || type === 'trader.exited');
    expect(judged).toEqual([
      ['risk.stop_loss', 'x', null],
      ['trader.exited', 'x', null],
      ['risk.stop_loss', 'x', 'trader-down'],
    ]);

    // Commands find it by any of its names.
    expect(traderNames(state)).toEqual(['x']);
    for (const typed of ['x', 'x_session', 'paper_trader', 'logs/paper_trader.log', 'x_heartbeat.json']) expect([typed, resolveTrader(state, typed)]).toEqual([typed, 'x']);

    // A restart: nothing is replayed, and the anonymous log is still x's (no process to ask now).
    await stopSources();
    const before = published.length;
    startSources();
    appendFileSync(path.join(ws(), 'logs', 'paper_trader.log'), `${STOP_LOSS.replace('ETH/USD', 'BTC/USD')}\n`);
    const late = await waitFor(() => published.slice(before).find((e) => e.type === 'risk.stop_loss'), { what: 'a stop-loss after the restart' });
    expect(late).toMatchObject({ subject: 'x', fields: { symbol: 'BTC/USD' } });
    expect(published.slice(before).map((e) => e.type)).toEqual(['risk.stop_loss']);
  }, 30_000);
});
