/**
 * One fact, one message, end to end on the shipped rules.yaml: the sources read real files (a
 * worker log, an Optuna-format SQLite database, a trader log written by a real child process
 * the process probe sees), commit to a real state file, and the notify pipeline renders what it
 * sends. Both reports of a fact are stored; one is notified, the other points at it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Subject } from 'rxjs';
import type { ComponentContext } from '../../src/agent/Component';
import { NotifyPipeline } from '../../src/agent/NotifyPipeline';
import { LogSourceComponent } from '../../src/agent/sources/LogSourceComponent';
import { OptunaSourceComponent } from '../../src/agent/sources/OptunaSourceComponent';
import { ProcessSourceComponent } from '../../src/agent/sources/ProcessSourceComponent';
import { loadRulesFile, parseRules } from '../../src/config/loadRules';
import type { LogSourceConfig, OptunaSourceConfig, ProcessSourceConfig, RulesFile } from '../../src/config/schema';
import { planDelivery } from '../../src/discord/deliveryPlan';
import type { DiscordMessage } from '../../src/discord/DiscordMessage';
import { renderNotification } from '../../src/discord/render';
import type { SendOutcome, Sink } from '../../src/discord/sinks/Sink';
import { silentLogger } from '../../src/logging/logger';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { EventStore } from '../../src/state/EventStore';
import { StateStore } from '../../src/state/StateStore';
import { compileLogRules } from '../../src/streams/logRules';
import type { Notification } from '../../src/streams/notify/Notification';
import { ProcessProbe } from '../../src/watchers/ProcessProbe';
import { createOptunaStorage, FLOAT, OptunaWriter } from '../fixtures/optuna/optunaFixture';
import { killRunningFrom } from '../support/decoys/killRunningFrom';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir('barista-facts-');
const WEBHOOK_ID = '123456789012345678';
const PYTHON = '/usr/bin/python3';

class RecordingSink implements Sink {
  readonly key = `webhook:${WEBHOOK_ID}`;
  readonly sent: DiscordMessage[] = [];
  async send(message: DiscordMessage): Promise<SendOutcome> {
    this.sent.push(message);
    return { status: 'sent' };
  }
  close(): void {}
}

/** The shipped rules on this test's workspace, with test-sized group timing and holds. */
function shippedRules(workspace: string, holdMs: number): RulesFile {
  const loaded = loadRulesFile(path.join(__dirname, '..', '..', 'config', 'rules.yaml'), { CAPPUCCINO_WORKSPACE: workspace, DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${WEBHOOK_ID}/tok` });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const config = loaded.rules.config;
  Object.assign(config.notify.defaults, { group_wait: 200, group_interval: 200 });
  for (const rule of config.rules) if (rule.emit.fact && rule.emit.fact.hold > 0) rule.emit.fact.hold = holdMs;
  return config;
}

const worlds: World[] = [];
// A test that fails midway still stops its sources and pipeline.
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.close();
});

/** State, the shipped rules' sources that a test starts, and the pipeline that notifies. */
class World {
  readonly workspace = path.join(tempDir(), 'ws');
  readonly state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  readonly events = new EventStore(this.state);
  readonly published: BaristaEvent[] = [];
  readonly notifications: Notification[] = [];
  readonly sink = new RecordingSink();
  readonly config: RulesFile;
  readonly context: ComponentContext;
  private readonly live = new Subject<BaristaEvent>();
  private readonly stops: (() => unknown)[] = [];
  readonly pipeline: NotifyPipeline;

  constructor(holdMs = 0) {
    worlds.push(this);
    for (const dir of ['logs', 'databases', 'paper_trades', 'deployments']) mkdirSync(path.join(this.workspace, dir), { recursive: true });
    this.config = shippedRules(this.workspace, holdMs);
    const rules = compileLogRules(this.config.rules);
    this.context = {
      workspace: this.workspace,
      state: this.state,
      logger: silentLogger(),
      firstStartedAt: 0,
      logRules: () => rules,
      publish: (events) => events.forEach((event) => (this.published.push(event), this.live.next(event))),
    };
    this.pipeline = new NotifyPipeline({
      state: this.state,
      logger: silentLogger(),
      notify: this.config.notify,
      plan: planDelivery(this.config),
      sinks: new Map([[this.sink.key, this.sink]]),
      render: (notification) => {
        this.notifications.push(notification);
        return renderNotification(notification);
      },
      renderPortfolio: () => [],
    });
    this.pipeline.start(this.live);
  }

  source<C>(id: string): C {
    return this.config.sources.find((source) => source.id === id) as C;
  }

  logSource(id: string): void {
    const component = new LogSourceComponent(this.source<LogSourceConfig>(id), this.context);
    component.start();
    this.stops.push(() => component.stop());
  }

  /** The notified events of a type, in the order they went out. */
  notified(type: string): BaristaEvent[] {
    return this.notifications.flatMap((n) => n.events).filter((e) => e.type === type);
  }

  reportsOf(type: string, match: (e: BaristaEvent) => boolean = () => true): BaristaEvent[] {
    return this.published.filter((e) => e.type === type && match(e));
  }

  onStop(stop: () => unknown): void {
    this.stops.push(stop);
  }

  async close(): Promise<void> {
    if (!this.state.isOpen) return;
    for (const stop of this.stops.splice(0)) await stop();
    await this.pipeline.stop();
    this.state.close();
  }
}

describe('one message per trial: the worker log and the Optuna database', () => {
  it('notifies each trial once, with the database view, whichever source sees it first; a trial one source sees still notifies', async () => {
    const w = new World(2_000);
    const db = path.join(w.workspace, 'databases', 'optuna_cappuccino.db');
    createOptunaStorage(db);
    const writer = new OptunaWriter(db);
    const study = writer.createStudy('interop');
    const log = path.join(w.workspace, 'logs', 'worker_1.log');
    writeFileSync(log, '');
    w.logSource('training-log');
    const optuna = new OptunaSourceComponent(w.source<OptunaSourceConfig>('optuna'), w.context, { busyTimeoutMs: 2000 });
    w.onStop(() => optuna.stop());
    w.onStop(() => writer.close());
    optuna.poll(); // first sight: the study, no trial yet
    const lr = { lr: [0.01, FLOAT(0.0001, 0.1)] } as Record<string, [number, string]>;
    const logged = (n: number) => () => w.published.some((e) => e.source === 'training-log' && e.fields.number === n);

    // Trial 0: the worker's log line first, the database's report a poll later.
    appendFileSync(log, "[W 2026-02-16 04:41:02,877] Trial 0 failed with parameters: {'lr': 0.01} because of the following error: ValueError('backtest blew up').\n");
    await waitFor(logged(0), { what: 'the log report of trial 0' });
    writer.trial(study, 'FAIL', null, lr);
    expect(optuna.poll().map((e) => [e.type, e.fields.number])).toEqual([['training.trial_failed', 0]]);

    // Trial 1: the database first, the log line after it.
    writer.trial(study, 'COMPLETE', 0.42, lr);
    expect(optuna.poll().map((e) => [e.type, e.fields.number])).toEqual([
      ['training.trial_completed', 1],
      ['training.best_improved', 1],
    ]);
    appendFileSync(log, "[I 2026-02-16 04:42:02,877] Trial 1 finished with value: 0.42 and parameters: {'lr': 0.01}. Best is trial 1 with value: 0.42.\n");
    await waitFor(logged(1), { what: 'the log report of trial 1' });

    // Trial 9 only in the log (a study the optuna source does not read); trial 2 only in the database.
    appendFileSync(log, '[I 2026-02-16 04:43:02,877] Trial 9 pruned. Trial timeout: 30.2 minutes exceeded 30.0 minute limit\n');
    await waitFor(logged(9), { what: 'the log report of trial 9' });
    writer.trial(study, 'PRUNED', null, lr);
    optuna.poll();

    const trialTypes = ['training.trial_failed', 'training.trial_completed', 'training.trial_pruned'];
    const notifiedTrials = () => trialTypes.flatMap((type) => w.notified(type));
    // The log-only trial goes out once its hold (2 s here, 30 s shipped) is over.
    await waitFor(() => notifiedTrials().length === 4, { what: 'a notification for each of the 4 trials', timeoutMs: 15_000 });
    await w.close();

    const sent = notifiedTrials()
      .map((e) => [e.fields.number, e.type, e.source])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(sent).toEqual([
      [0, 'training.trial_failed', 'optuna'],
      [1, 'training.trial_completed', 'optuna'],
      [2, 'training.trial_pruned', 'optuna'],
      [9, 'training.trial_pruned', 'training-log'],
    ]);
    // The database's view: study, value, params, duration.
    const completed = w.notified('training.trial_completed')[0];
    expect(completed?.fields).toMatchObject({ study: 'interop', value: 0.42, params: { lr: 0.01 }, duration_s: expect.any(Number) });
    expect(JSON.stringify(w.sink.sent)).toContain('interop');

    // Every report is stored; the log's reports of trials 0 and 1 point at the database's.
    const all = w.published.filter((e) => trialTypes.includes(e.type));
    expect(all).toHaveLength(6);
    const reopened = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    const store = new EventStore(reopened);
    for (const n of [0, 1]) {
      const fromLog = all.find((e) => e.source === 'training-log' && e.fields.number === n) as BaristaEvent;
      const fromDb = all.find((e) => e.source === 'optuna' && e.fields.number === n) as BaristaEvent;
      expect(fromLog.fact).toEqual({ key: `trial:*:${n}`, rank: 0, holdMs: 2_000 });
      expect(fromDb.fact).toEqual({ key: `trial:interop:${n}`, rank: 1, holdMs: 0 });
      expect(store.duplicateOf(fromLog.id)).toBe(fromDb.id);
    }
    expect(store.unnotified()).toEqual([]);
    reopened.close();
  }, 30_000);
});

describe('one message per trader start: the log banner and the process probe', () => {
  const scripts = () => path.join(tempDir(), 'scripts');
  afterEach(() => killRunningFrom(scripts()));

  it('notifies each start once, whichever of the probe and the banner comes first', async () => {
    const w = new World();
    mkdirSync(scripts(), { recursive: true });
    const script = path.join(scripts(), 'paper_trader_alpaca_polling.py');
    // Prints its banner once GO exists (or at once without GO), like the real one after loading its model.
    writeFileSync(script, 'import os, time\ngo = os.environ.get("GO")\nwhile go and not os.path.exists(go):\n    time.sleep(0.02)\nprint("Starting Alpaca paper trading (REST API polling)...", flush=True)\ntime.sleep(600)\n');
    const yaml = `workspace: /w\nsources:\n  - { id: processes, type: process, interval: 100ms, match: { trader: "${path.basename(tempDir())}/scripts/paper_trader_alpaca_polling.py" } }\n`;
    const parsed = parseRules(yaml, 'rules.yaml', {});
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const probe = new ProcessSourceComponent(parsed.rules.config.sources[0] as ProcessSourceConfig, w.context, { probe: new ProcessProbe({ diskPath: w.workspace, graphics: async () => [] }) });
    const logFile = path.join(w.workspace, 'logs', 'paper_trader_trial7.log');
    writeFileSync(logFile, '');
    w.logSource('trader-log');
    probe.start();
    w.onStop(() => probe.stop());
    await waitFor(() => w.state.getCache('processes'), { what: "the probe's first look" });

    const start = async (env: Record<string, string>): Promise<ChildProcess> => {
      const out = openSync(logFile, 'a');
      const child = spawn(PYTHON, ['-u', script, '--model-dir', 'deployments/trial7', '--log-file', 'paper_trades/trial7_session.csv'], { cwd: w.workspace, stdio: ['ignore', out, out], detached: true, env: { PATH: process.env.PATH ?? '', ...env } });
      closeSync(out);
      await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
      return child;
    };
    const reports = (pid: number | undefined) => w.reportsOf('trader.started').filter((e) => e.fields.pid === pid || (e.source === 'trader-log' && e.fact?.key.endsWith(`:${pid}`)));

    // First start: the probe sees it, then the banner (the real trader loads its model first).
    const go = path.join(tempDir(), 'go');
    const first = await start({ GO: go });
    await waitFor(() => w.reportsOf('trader.started', (e) => e.source === 'processes').length === 1, { what: "the probe's report of the first start" });
    writeFileSync(go, '');
    await waitFor(() => reports(first.pid).length === 2, { what: "the banner's report of the first start" });
    expect(reports(first.pid).map((e) => [e.source, e.fact?.key])).toEqual([
      ['processes', `trader-start:trial7:${first.pid}`],
      ['trader-log', `trader-start:trial7:${first.pid}`],
    ]);

    // Second start: the banner at once, so it may come before or after the probe sees the process.
    process.kill(-first.pid!, 'SIGKILL');
    await waitFor(() => w.reportsOf('trader.exited').length === 1, { what: 'the first exit' });
    const second = await start({});
    await waitFor(() => w.reportsOf('trader.started').length === 4, { what: 'both reports of the second start' });
    await waitFor(() => w.notified('trader.started').length === 2, { what: 'a message for each start' });
    await w.close();

    const messages = w.notified('trader.started');
    expect(messages.map((e) => e.subject)).toEqual(['trial7', 'trial7']);
    // The first start's message is the probe's (richer: pid, model, files); each start once.
    expect(messages[0]).toMatchObject({ source: 'processes', fields: { pid: first.pid } });
    // The second start's message is one of its two reports (which one depends on who came first).
    const secondReports = w.reportsOf('trader.started').slice(2);
    expect(secondReports.map((e) => e.source).sort()).toEqual(['processes', 'trader-log']);
    expect(secondReports.find((e) => e.source === 'processes')?.fields.pid).toBe(second.pid);
    expect(secondReports.map((e) => e.id)).toContain(messages[1]?.id);
    const reopened = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    const store = new EventStore(reopened);
    const pointers = w.reportsOf('trader.started').map((e) => store.duplicateOf(e.id));
    expect(pointers.filter((p) => p !== null)).toHaveLength(2);
    reopened.close();
  }, 30_000);
});
