/**
 * `BENCH_ONLY=state-30d`: how big barista's state file gets after 30 days beside the real system
 * (issue 13, bounded state). Days are simulated, not waited: what the shipped rules derive from
 * the real system at its real rates goes through barista's own code paths — log lines through
 * the shipped rules, CSV rows through the CSV session, Optuna trials and worker restarts through
 * their reducers, each batch committed with its checkpoint (commitBatch), histories and audit
 * rows through their stores, events through the real notification policy, renderer and outbox
 * (delivered to a console sink that discards) — into a real SQLite file, with the hourly
 * retention pass barista runs. The clock is a virtual one: state, policy and outbox all read it.
 * Beside it, as the baseline, the same 30 days with retention never run.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { parseRules } from '../src/config/loadRules';
import { sourceIdentity } from '../src/config/sourceIdentity';
import type { RulesFile, SourceConfig } from '../src/config/schema';
import { NotifyPipeline } from '../src/agent/NotifyPipeline';
import { commitBatch } from '../src/agent/sources/commitBatch';
import { writeHistoriesOf } from '../src/agent/sources/CsvSourceComponent';
import { logRecordEvents } from '../src/agent/sources/LogSourceComponent';
import { createSinks } from '../src/discord/createSinks';
import { planDelivery } from '../src/discord/deliveryPlan';
import { renderNotification, renderPortfolioSummary } from '../src/discord/render';
import { silentLogger } from '../src/logging/logger';
import { eventFromDraft, type BaristaEvent } from '../src/model/BaristaEvent';
import { AuditLog } from '../src/state/AuditLog';
import { EquitySeriesStore } from '../src/state/EquitySeriesStore';
import { OutboxStore } from '../src/state/OutboxStore';
import { pruneState, type Retention } from '../src/state/retention';
import { StateStore } from '../src/state/StateStore';
import { TradeHistoryStore } from '../src/state/TradeHistoryStore';
import { TrialHistoryStore } from '../src/state/TrialHistoryStore';
import { CsvSession } from '../src/streams/csvSession';
import { compileLogRules, type CompiledLogRules } from '../src/streams/logRules';
import { trialDraft, type StudyView } from '../src/streams/optunaTrials';
import { applyProcessSample, type ProcessView } from '../src/streams/processLifecycle';
import type { ProcessReading } from '../src/watchers/ProcessProbe';
import { seededRandom } from '../test/support/simulator/random';
import { makeTempDir, QUICK, removeTempDir, ROOT } from './support';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Daily rates of the real system as the shipped rules see it (shared/cappuccino/surface.md).
 * Lines no rule matches (polls, "✓ … OK", tqdm, "Split 3/10") make no event and are left out;
 * heartbeats and positions_state.json only refresh a cache row (constant size).
 */
export interface Rates {
  /** Paper traders running side by side. */
  traders: number;
  /** Bars per trader per day: one CSV row and one snapshot line each. */
  barsPerDay: number;
  /** Trades (holding changes ≥ min_notional) per bar. */
  tradesPerBar: number;
  /** Risk lines the rules match, per bar. */
  riskLinesPerBar: number;
  /** Positions closed per trader per day. */
  closesPerDay: number;
  /** Caught trader errors per trader per day. */
  traderErrorsPerDay: number;
  /** Optuna workers. */
  workers: number;
  /** Seconds per trial per worker. */
  secondsPerTrial: number;
  /** Share of trials pruned (the rest complete). */
  prunedShare: number;
  /** Restarts of every training worker per day. */
  workerRestartsPerDay: number;
  /** Hours a day the watchdog logs ALPHA DECAY, once a minute. */
  alphaDecayHoursPerDay: number;
  /** alerts.log alerts per trader per hour. */
  monitorAlertsPerHour: number;
  /** Deployments and ensemble updates per day. */
  deploymentsPerDay: number;
  /** Commands the audit keeps per day. */
  auditedCommandsPerDay: number;
}

export const REALISTIC_RATES: Rates = {
  // restart_all_traders.sh starts three traders (model_0, model_1, trial_250_live).
  traders: 3,
  // The shipped control starts `--timeframe 1h`: a bar an hour (CSV row + snapshot line).
  barsPerDay: 24,
  // Most bars the policy moves one of its 7 tickers by ≥ $5 (the trader's "Trades This Hour"); the 4 h min hold caps sells.
  tradesPerBar: 1,
  // Position-limit / concentration / macro lines print before most snapshots; the portfolio trailing stop repeats every bar of a drawdown.
  riskLinesPerBar: 1,
  // "💰 Closed …" when a holding goes to zero: a few a day.
  closesPerDay: 3,
  // "Error processing bars" / "Error fetching" on a flaky market-data API: a couple of polls a day.
  traderErrorsPerDay: 2,
  // The shipped process source expects 3 training workers (start_everything.sh starts 3).
  workers: 3,
  // tqdm in a worker log: 613.7 s/it, about 140 trials per worker per day.
  secondsPerTrial: 614,
  // TrialPruned is the code's soft failure (30-min timeout, RSS, NaN Sharpe, OOM): about one in five.
  prunedShare: 0.2,
  // worker_watchdog.sh restarts every worker each 3600 s: an exit and a start per worker per hour.
  workerRestartsPerDay: 24,
  // system_watchdog.py checks every 60 s and logs ALPHA DECAY on each check while alpha < -3 %, "on many days" for a mostly-cash trader (rules.yaml).
  alphaDecayHoursPerDay: 8,
  // alert_system.py checks every 300 s with 15–60 min cooldowns per (trader, title): about one alert per trader per hour.
  monitorAlertsPerHour: 1,
  // auto_model_deployer.py checks hourly; a deployment or skip logged about once a day.
  deploymentsPerDay: 1,
  // A few Discord commands a day that the audit keeps (mutes, control, denials).
  auditedCommandsPerDay: 5,
};

export interface SizeSample {
  day: number;
  fileBytes: number;
  walBytes: number;
  /** The database's own size (page_count × page_size): the file's once the WAL is checkpointed into it. */
  dbBytes: number;
}

export interface SimulationResult {
  samples: SizeSample[];
  /** Rows per table at the end (before closing). */
  rows: Record<string, number>;
  /** Bytes per table and index at the end (SQLite's dbstat). */
  bytes: Record<string, number>;
  events: number;
  messages: number;
}

export interface SimulationOptions {
  file: string;
  days: number;
  rates: Rates;
  /** The retention pass run every simulated hour, as barista does; null: never pruned (the baseline). */
  retention: Retention | null;
  /** Days after which to sample the file size. */
  sampleDays: readonly number[];
  /** Shipped rules (parsed) the events and notifications follow. */
  rules: RulesFile;
  start?: number;
}

const TICKERS = ['AAVE/USD', 'AVAX/USD', 'BTC/USD', 'LINK/USD', 'ETH/USD', 'LTC/USD', 'UNI/USD'];
const PRICES = [112.45, 9.15, 70412.3, 9.87, 2071.55, 55.12, 3.41];
const STUDY = 'cappuccino_auto_20260216_0340';
const RISK_LINES = [
  (i: number) => `  📊 Position limit (pre-check): LINK/USD buy capped from 0.${8000 + (i % 999)} to 0.2140 (at 12% limit)`,
  (i: number) => `  🛡️  PORTFOLIO TRAILING STOP: Down 1.${i % 10}% from peak ($507.12 → $499.${10 + (i % 89)})`,
  (i: number) => `  🛡️  Concentration limit: BTC/USD buy capped from 1.${i % 99} to 0.50 shares`,
  (i: number) => `  🌍 Macro Regime: RISK_ON → Position sizing: ${90 + (i % 10)}.0% (VIX low, momentum positive)`,
];

/** Python's `[I 2026-02-16 04:41:02,877]` (naive local; UTC here). */
const optunaStamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
const plainStamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const barIso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');


interface Tick {
  at: number;
  run: () => BaristaEvent[];
}

/** Runs the simulation; returns sizes at the sample days and what the file holds at the end. */
export async function simulateState(options: SimulationOptions): Promise<SimulationResult> {
  const { rates, rules } = options;
  const start = options.start ?? Date.parse('2026-11-01T00:00:00Z');
  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = start;
  const clock = () => scheduler.now();
  const state = StateStore.open({ path: options.file, now: clock });
  const world = new World(state, rules, rates);
  const events$ = new Subject<BaristaEvent>();
  const plan = planDelivery(rules);
  const sinks = await createSinks(plan, { console: { write: () => true } });
  const pipeline = new NotifyPipeline({
    state,
    logger: silentLogger(),
    notify: rules.notify,
    plan,
    sinks,
    render: renderNotification,
    renderPortfolio: renderPortfolioSummary,
    now: clock,
    scheduler,
  });
  const outbox = new OutboxStore(state);
  pipeline.start(events$);
  const samples: SizeSample[] = [];
  let events = 0;
  try {
    // One virtual instant at a time, each followed by the deliveries it caused (as Discord would
    // take them within a second), so the outbox never piles up into digests that a live run avoids.
    const settle = async () => {
      for (let spins = 0; outbox.pendingDestinations().length > 0; spins += 1) {
        if (spins > 10_000) throw new Error('outbox did not drain');
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const runPolicyUntil = async (at: number) => {
      for (let next = scheduler.actions[0]; next && next.delay <= at; next = scheduler.actions[0]) {
        scheduler.maxFrames = next.delay;
        scheduler.flush();
        await settle();
      }
      if (scheduler.frame < at) scheduler.frame = at;
    };
    for (let day = 0; day < options.days; day += 1) {
      const ticks = world.day(start + day * DAY);
      if (options.retention) {
        const retention = options.retention;
        for (let h = 1; h <= 24; h += 1) ticks.push({ at: start + day * DAY + h * HOUR - 1, run: () => (pruneState(state, retention), []) });
      }
      ticks.sort((a, b) => a.at - b.at);
      for (const tick of ticks) {
        await runPolicyUntil(tick.at);
        const fresh = tick.run();
        events += fresh.length;
        for (const event of fresh) events$.next(event);
        await settle();
      }
      await runPolicyUntil(start + (day + 1) * DAY);
      if (options.sampleDays.includes(day + 1)) samples.push(sizeOf(state, options.file, day + 1));
    }
    return { samples, rows: rowsPerTable(state), bytes: bytesPerTable(state), events, messages: outboxMessages(state) };
  } finally {
    events$.complete();
    await pipeline.stop();
    state.close();
  }
}

function sizeOf(state: StateStore, file: string, day: number): SizeSample {
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  const pages = (name: string) => Number(state.db.pragma(name, { simple: true }));
  return { day, fileBytes: size(file), walBytes: size(`${file}-wal`), dbBytes: pages('page_count') * pages('page_size') };
}

function rowsPerTable(state: StateStore): Record<string, number> {
  const tables = state.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (state.db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

/** Bytes of each table and index, from SQLite's dbstat (empty when the build lacks it). */
function bytesPerTable(state: StateStore): Record<string, number> {
  try {
    const rows = state.db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return {};
  }
}

/** Every message the outbox took over the run (its sequence), pruned or not. */
function outboxMessages(state: StateStore): number {
  return (state.db.prepare("SELECT coalesce(max(seq), 0) AS n FROM outbox").get() as { n: number }).n;
}

/** The simulated system: what each source would read, made into events by barista's code. */
class World {
  private readonly logRules: CompiledLogRules;
  private readonly sources: Map<string, SourceConfig>;
  private readonly random = seededRandom(13);
  private readonly trades: TradeHistoryStore;
  private readonly equity: EquitySeriesStore;
  private readonly trials: TrialHistoryStore;
  private readonly audit: AuditLog;
  private readonly csv = new Map<string, { session: CsvSession; holdings: number[]; cash: number; offset: number }>();
  private readonly offsets = new Map<string, number>();
  private processes: ProcessView | null = null;
  private trialNumber = 0;
  private best = 0.01;
  private pid = 200_000;
  private workerPids: number[] = [];

  constructor(
    private readonly state: StateStore,
    rules: RulesFile,
    private readonly rates: Rates,
  ) {
    this.logRules = compileLogRules(rules.rules);
    this.sources = new Map(rules.sources.map((s) => [s.id, s]));
    this.trades = new TradeHistoryStore(state);
    this.equity = new EquitySeriesStore(state);
    this.trials = new TrialHistoryStore(state);
    this.audit = new AuditLog(state);
  }

  /** Everything the system does in one day, as ticks (unsorted). */
  day(dayStart: number): Tick[] {
    const r = this.rates;
    const ticks: Tick[] = [];
    // `count` ticks spread evenly over `spanMs` from the day's start + offset.
    const every = (count: number, offset: number, run: (at: number, i: number) => BaristaEvent[], spanMs = DAY) => {
      for (let i = 0; i < count; i += 1) {
        const at = dayStart + offset + Math.floor((i * spanMs) / count);
        ticks.push({ at, run: () => run(at, i) });
      }
    };
    for (let t = 0; t < r.traders; t += 1) {
      const trader = `trial${[91, 100, 250][t % 3]}${t >= 3 ? `_${t}` : ''}`;
      // The trader polls at HH:02 for the bar that opened an hour before.
      every(r.barsPerDay, 2 * MINUTE + t * 1000, (at) => [...this.bar(trader, at - 2 * MINUTE - HOUR), ...this.barLog(trader, at - 2 * MINUTE - HOUR)]);
      every(r.closesPerDay, 2 * MINUTE + t * 1000 + 500, (_at, i) => this.logLines('trader-log', `logs/paper_trader_${trader}.log`, trader, [`  💰 Closed ${TICKERS[i % 7]}: entry $2712.55 → exit $${2430 + i}.10 (-${(i % 9) + 1}.4%)`]));
      every(r.traderErrorsPerDay, 2 * MINUTE + t * 1000 + 700, () => this.logLines('trader-log', `logs/paper_trader_${trader}.log`, trader, ["Error processing bars: HTTPSConnectionPool(host='data.alpaca.markets', port=443): Read timed out."]));
      every(r.monitorAlertsPerHour * 24, 5 * MINUTE + t * 7000, (at, i) =>
        this.logLines('alerts-log', 'logs/alerts.log', 'alerts', [`[${plainStamp(at)}] [WARNING] [${trader}] ${i % 2 ? 'No Trading Activity' : 'Concentration Warning'}: ${i % 2 ? 'No holding change for 24.0 hours' : `BTC/USD at 30.${i % 10}% of portfolio`}`]),
      );
    }
    const trialsPerWorker = Math.floor(DAY / (r.secondsPerTrial * 1000));
    for (let w = 0; w < r.workers; w += 1) every(trialsPerWorker, w * 97_000, (at) => this.trial(w, at));
    every(r.workerRestartsPerDay, 0, (at) => this.restartWorkers(at));
    // Once a minute, in one stretch of the day.
    every(
      r.alphaDecayHoursPerDay * 60,
      12_611,
      (at, i) => this.logLines('watchdog-log', 'logs/watchdog.log', 'watchdog', [`[${optunaStamp(at)}] [WARNING] [ALPHA] ALPHA DECAY: -${3 + (i % 50) / 10}% (threshold: -3.0%)`]),
      r.alphaDecayHoursPerDay * HOUR,
    );
    every(r.deploymentsPerDay, 9 * MINUTE, (at) => this.deployment(at));
    every(r.auditedCommandsPerDay, 17 * MINUTE, (at, i) => {
      this.audit.record({ at, userId: '123456789012345678', userTag: 'operator', command: i % 2 ? 'mute' : 'trader stop', args: JSON.stringify({ duration: '2h', type: 'watchdog.*' }), place: 'guild 1 channel 2', decision: 'allowed', outcome: 'muted until 14:00' });
      return [];
    });
    return ticks;
  }

  private commit(sourceId: string, key: string | undefined, events: BaristaEvent[], alsoWrite?: () => void): BaristaEvent[] {
    const source = this.sources.get(sourceId);
    if (!source) throw new Error(`the shipped rules have no source ${sourceId}`);
    const offset = (this.offsets.get(`${sourceId}:${key}`) ?? 0) + 1;
    this.offsets.set(`${sourceId}:${key}`, offset);
    return commitBatch(this.state, {
      source: sourceId,
      ...(key !== undefined ? { key, position: { cursors: [{ identity: `2049:${1000 + offset % 7}:9f2c41d0`, offset: offset * 180, size: offset * 180 }] }, identity: `2049:1000:9f2c41d0` } : {}),
      events,
      ...(alsoWrite ? { alsoWrite } : {}),
      health: sourceIdentity(source),
    });
  }

  /** Lines appended to one log file, read as one batch through the shipped rules. */
  private logLines(sourceId: string, file: string, subject: string, lines: string[]): BaristaEvent[] {
    const start = (this.offsets.get(`${sourceId}:${file}`) ?? 0) * 180;
    const events = lines.flatMap((text, i) => logRecordEvents(this.logRules, sourceId, { file, subject, record: { text, identity: '2049:1000:9f2c41d0', start: start + i * 200 }, writerField: (name) => (name === 'study_name' ? STUDY : undefined) }));
    return this.commit(sourceId, file, events);
  }

  /** The trader's log for one bar: risk lines, then the snapshot line. */
  private barLog(trader: string, barAt: number): BaristaEvent[] {
    const i = Math.floor(barAt / HOUR);
    const risk = Array.from({ length: this.rates.riskLinesPerBar }, (_, k) => RISK_LINES[(i + k) % RISK_LINES.length](i));
    const actions = TICKERS.map(() => (this.random() * 2 - 1).toFixed(4)).join(', ');
    return this.logLines('trader-log', `logs/paper_trader_${trader}.log`, trader, [...risk, `[${barIso(barAt)}] cash=351.27 total=499.61 reward=-0.000781 actions=[${actions}]`]);
  }

  /** One CSV row through the CSV session: its snapshot and trades, histories in the same commit. */
  private bar(trader: string, barAt: number): BaristaEvent[] {
    const file = `paper_trades/${trader}_session.csv`;
    let csv = this.csv.get(trader);
    if (!csv) {
      const session = new CsvSession({ trader, minNotional: 5, file });
      const header = `timestamp,cash,total_asset,reward,${['holding', 'price', 'action'].flatMap((kind) => TICKERS.map((t) => `${kind}_${t}`)).join(',')}`;
      session.acceptHeader(header);
      csv = { session, holdings: TICKERS.map(() => 0), cash: 500, offset: header.length + 1 };
      this.csv.set(trader, csv);
    }
    for (let k = 0; k < this.rates.tradesPerBar; k += 1) {
      const t = Math.floor(this.random() * TICKERS.length);
      const notional = 10 + this.random() * 40;
      const qty = notional / PRICES[t];
      const sell = csv.holdings[t] > qty;
      csv.holdings[t] += sell ? -qty : qty;
      csv.cash += sell ? notional : -notional;
    }
    const prices = PRICES.map((p) => p * (1 + (this.random() - 0.5) * 0.02));
    const total = csv.cash + csv.holdings.reduce((sum, h, t) => sum + h * prices[t], 0);
    const row = [barIso(barAt), csv.cash.toFixed(6), total.toFixed(6), ((this.random() - 0.5) / 1000).toFixed(6), ...csv.holdings.map((h) => h.toFixed(6)), ...prices.map((p) => p.toFixed(6)), ...TICKERS.map(() => (this.random() * 2 - 1).toFixed(6))].join(',');
    const identity = '2049:2000:51ab09e3';
    const at = csv.offset;
    csv.offset += row.length + 1;
    const drafts = csv.session.acceptLine(row, { offset: at }).map((draft) => ({ ...draft, fields: { ...draft.fields, file } }));
    const events = drafts.map((draft, index) => eventFromDraft(draft, { source: 'sessions', subject: trader, idParts: [identity, at, index] }));
    const session = csv.session;
    return commitBatch(this.state, {
      source: 'sessions',
      key: file,
      events,
      position: { tail: { cursors: [{ identity, offset: csv.offset, size: csv.offset }] }, sessions: { [identity]: session.state } },
      alsoWrite: () => writeHistoriesOf(this.state, { trades: this.trades, equity: this.equity }, trader, events),
      health: sourceIdentity(this.sources.get('sessions')!),
    });
  }

  /** A worker finishes a trial: its log line (training-log), then the Optuna source's report of it with the trial history row. */
  private trial(worker: number, at: number): BaristaEvent[] {
    const number = (this.trialNumber += 1);
    const pruned = this.random() < this.rates.prunedShare;
    const value = pruned ? null : 0.01 + this.random() * 0.01;
    const params = { learning_rate: 0.0003 + this.random() * 1e-4, batch_size: 2, gamma: 0.99, net_dimension: 1024, target_step: 4096, repeat_times: 3, clip_grad_norm: 3.2, ratio_clip: 0.25, lambda_gae_adv: 0.96, lambda_entropy: 0.02, lookback: 5, norm_cash: 0.0001, norm_stocks: 0.01, norm_tech: 0.001, norm_reward: 0.0001, norm_action: 100, time_decay_floor: 0.1, min_cash_reserve: 0.05, concentration_penalty: 0.5, use_lr_schedule: true };
    const line = pruned
      ? `[I ${optunaStamp(at)}] Trial ${number} pruned. Trial timeout: 30.2 minutes exceeded 30.0 minute limit`
      : `[I ${optunaStamp(at)}] Trial ${number} finished with value: ${value!.toFixed(6)} and parameters: ${JSON.stringify(params).replace(/"/g, "'")}. Best is trial 41 with value: ${this.best.toFixed(6)}.`;
    const fromLog = this.logLines('training-log', `logs/parallel_training/worker_${worker}.log`, `worker_${worker}`, [line]);
    if (value !== null && value > this.best) this.best = value;
    const study: StudyView = { name: STUDY, directions: ['MAXIMIZE'], userAttrs: { target_trials: 500 }, counts: { COMPLETE: number }, best: { number: 41, value: this.best }, top: [], recent: [], durations: [], finishedAt: [], lastFinishSeenAt: null, busySince: null, stalledSince: null };
    const state = pruned ? 'PRUNED' : 'COMPLETE';
    const sharpes = Array.from({ length: 10 }, () => this.random() / 10);
    const decoded = { trialId: 17_000 + number, studyId: 7, number, state, values: value === null ? [] : [value], params, userAttrs: pruned ? { timeframe: '1h' } : { timeframe: '1h', sharpe_list_bot: sharpes, sharpe_list_hodl: sharpes, mean_sharpe_bot: 0.05, mean_sharpe_hodl: 0.03, std_sharpe_bot: 0.01 }, intermediateCount: 0, datetimeStart: optunaStamp(at - this.rates.secondsPerTrial * 1000), datetimeComplete: optunaStamp(at), durationS: this.rates.secondsPerTrial };
    const draft = trialDraft(study, decoded);
    const event = eventFromDraft(draft.draft, { source: 'optuna', subject: draft.study, idParts: draft.idParts });
    const fromDb = this.commit('optuna', undefined, [event], () => this.trials.record([{ study: STUDY, number, state, value, startedAt: at - this.rates.secondsPerTrial * 1000, finishedAt: at }]));
    return [...fromLog, ...fromDb];
  }

  /** worker_watchdog.sh's hourly restart as the process probe sees it: every worker exits and a new one starts. */
  private restartWorkers(at: number): BaristaEvent[] {
    this.workerPids = Array.from({ length: this.rates.workers }, () => (this.pid += 7));
    const reading = (pid: number, argv: string[]): ProcessReading => ({ pid, ppid: 1, comm: 'python', argv, startTicks: pid, startedAtMs: at - 1000, state: 'S', cpuPercent: 95, rssBytes: 4e9 });
    const traders = Array.from({ length: this.rates.traders }, (_, t) => reading(100 + t, ['python', '-u', 'scripts/deployment/paper_trader_alpaca_polling.py', '--model-dir', `deployments/model_${t}`, '--timeframe', '1h', '--log-file', `paper_trades/trial${[91, 100, 250][t % 3]}_session.csv`]));
    const workers = this.workerPids.map((pid) => reading(pid, ['python', '-u', 'scripts/training/1_optimize_unified.py', '--n-trials', '500', '--gpu', '0', '--n-envs', '8', '--study-name', STUDY, '--timeframe', '1h', '--data-dir', 'data/1h_1680']));
    const processes = this.sources.get('processes');
    const match = processes?.type === 'process' ? processes.match : {};
    const sample = applyProcessSample(this.processes, { at, bootId: 'boot-1', processes: [...traders, ...workers] }, { classes: Object.entries(match), ...(processes?.type === 'process' ? { expected: processes.expected } : {}) });
    this.processes = sample.view;
    const events = sample.drafts.map((d) => eventFromDraft(d.draft, { source: 'processes', subject: d.subject, idParts: d.idParts }));
    return this.commit('processes', undefined, events);
  }

  /** deployment_log.json gains a DEPLOYED entry (files source), and the ensemble manifest changes. */
  private deployment(at: number): BaristaEvent[] {
    const trial = 17_000 + this.trialNumber;
    const events = [
      eventFromDraft({ type: 'deployment.model_deployed', severity: 'notice', at: new Date(at).toISOString(), fields: { trial_id: trial, value: this.best, action: 'DEPLOYED', details: `PID: ${this.pid}, Log: logs/paper_trading_auto_${plainStamp(at)}.log`, file: 'deployments/deployment_log.json' }, text: `Model deployed: trial ${trial} (value ${this.best.toFixed(6)})` }, { source: 'deployments', subject: 'deployment_log', idParts: ['deployed', trial, at] }),
      eventFromDraft({ type: 'ensemble.updated', severity: 'info', at: new Date(at).toISOString(), fields: { model_count: 20, best_value: this.best, mean_value: this.best * 0.8, study_name: STUDY, added: [trial], removed: [trial - 300], file: 'train_results/ensemble/ensemble_manifest.json' }, text: 'Ensemble updated: 20 models' }, { source: 'deployments', subject: 'ensemble', idParts: ['ensemble', trial, at] }),
    ];
    return this.commit('deployments', 'deployments/deployment_log.json', events);
  }
}

/** The shipped rules as a fresh install reads them: no Discord settings, so every channel is the console. */
export function shippedRules(file = path.join(ROOT, 'config', 'rules.yaml')): RulesFile {
  const result = parseRules(readFileSync(file, 'utf8'), file, {});
  if (!result.ok) throw new Error(`shipped rules invalid: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.rules.config;
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;

export async function benchStateGrowth(): Promise<void> {
  // Quick: long enough for the 7-day retentions to show.
  const days = QUICK ? 10 : 30;
  const sampleDays = [1, 7, days].filter((d, i, all) => all.indexOf(d) === i);
  const rules = shippedRules();
  const retention = rules.state.retention;
  // In memory where there is a tmpfs: sizes are the same, and a minute of commits spares the shared disk.
  const dir = makeTempDir('barista-bench-state-', existsSync('/dev/shm') ? '/dev/shm' : undefined);
  try {
    const t0 = Date.now();
    const bounded = await simulateState({ file: path.join(dir, 'bounded.db'), days, rates: REALISTIC_RATES, retention, sampleDays, rules });
    const t1 = Date.now();
    const kept = await simulateState({ file: path.join(dir, 'kept.db'), days, rates: REALISTIC_RATES, retention: null, sampleDays, rules });
    const t2 = Date.now();
    console.log(`\nState file after ${days} simulated days at the shipped rules' realistic rates`);
    console.log(`  rates: ${Object.entries(REALISTIC_RATES).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  per day: ${Math.round(bounded.events / days).toLocaleString('en-US')} events, ${Math.round(bounded.messages / days).toLocaleString('en-US')} outbox messages`);
    const ret = Object.entries(retention).map(([k, v]) => `${k} ${Math.round(v / DAY)}d`).join(', ');
    console.log(`  ${'day'.padEnd(5)} ${`retention (${ret})`.padEnd(52)} baseline: retention never runs`);
    for (let i = 0; i < bounded.samples.length; i += 1) {
      const [a, b] = [bounded.samples[i], kept.samples[i]];
      console.log(`  ${String(a.day).padEnd(5)} ${`${mb(a.fileBytes)} + WAL ${mb(a.walBytes)}`.padEnd(52)} ${mb(b.fileBytes)} + WAL ${mb(b.walBytes)}`);
    }
    console.log(`  rows at day ${days} (retention / baseline):`);
    for (const [table, n] of Object.entries(bounded.rows)) {
      const perRow = n > 0 && bounded.bytes[table] ? `${Math.round(bounded.bytes[table] / n)} B/row`.padStart(12) : '';
      console.log(`    ${table.padEnd(22)} ${String(n).padStart(9)} ${String(kept.rows[table] ?? 0).padStart(9)}${perRow}`);
    }
    console.log(`  largest tables and indexes at day ${days} (retention / baseline):`);
    for (const [name, bytes] of Object.entries(bounded.bytes).slice(0, 8)) console.log(`    ${name.padEnd(28)} ${mb(bytes).padStart(10)} ${mb(kept.bytes[name] ?? 0).padStart(10)}`);
    console.log(`  simulated in ${((t1 - t0) / 1000).toFixed(1)} s (retention) and ${((t2 - t1) / 1000).toFixed(1)} s (baseline)`);
  } finally {
    removeTempDir(dir);
  }
}
