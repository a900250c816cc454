/**
 * Every query over a real StateStore filled by the real sources (csv on the simulator, optuna
 * on a real Optuna SQLite file) or by the catalogue's writers, checked against the truth.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE, writeCache } from '../../src/readModel/catalogue';
import { ReadModel } from '../../src/readModel/ReadModel';
import { equitySeriesAnswer, healthAnswer, mutesAnswer, portfolioAnswer, statusAnswer, traderStatusAnswer, tradesAnswer, trainingSeriesAnswer, trainingStatusAnswer } from '../../src/readModel/queries';
import { EquitySeriesStore } from '../../src/state/EquitySeriesStore';
import { MuteStore } from '../../src/state/MuteStore';
import { OutboxStore } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import type { PortfolioSnapshot } from '../../src/streams/csvSession';
import type { CachedProcess } from '../../src/streams/processLifecycle';
import { copySample } from '../fixtures/optuna/optunaFixture';
import { Harness } from '../optuna/support';
import { NO_RANDOM_EVENTS, TraderSimulator } from '../support/simulator';
import { useTempDir } from '../support/tempDir';
import { startCsvSource, TRADER, waitForBar } from './support';

const tempDir = useTempDir();
const HOUR = 3_600_000;

describe('queries on a state filled by the csv source from the simulator', () => {
  let state: StateStore;
  let sim: TraderSimulator;
  let trader: string;

  beforeEach(async () => {
    const workspace = path.join(tempDir(), 'ws');
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    sim = new TraderSimulator({ workspace, seed: 5, rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250' }] });
    const source = startCsvSource(workspace, state);
    sim.stepBars(80);
    trader = TRADER(sim.truth.snapshots[0].csvPath);
    await waitForBar(state, trader, sim.truth.snapshots.at(-1)!.bar);
    await source.stop();
  });
  afterEach(() => state.close());

  const lastBar = () => sim.truth.snapshots.at(-1)!;
  const modelAt = (now: number) => new ReadModel(state, () => now);

  it('portfolio: totals to the cent of the CSV\'s last row, positions from holdings × prices, entries from the trades', () => {
    const last = lastBar();
    const answer = portfolioAnswer(modelAt(Date.parse(last.bar) + 60_000));
    if (answer.kind !== 'portfolio') throw new Error(answer.kind);
    expect(answer.totals.trader).toBe(trader);
    expect(answer.totals.total.toFixed(2)).toBe(last.total.toFixed(2));
    expect(answer.totals.cash.toFixed(2)).toBe(last.cash.toFixed(2));
    expect(answer.totals.invested).toBeCloseTo(last.total - last.cash, 4);
    const held = Object.entries(last.holdings).filter(([, q]) => Number(q.toFixed(6)) !== 0);
    expect(answer.positions.map((p) => p.symbol).sort()).toEqual(held.map(([s]) => s).sort());
    for (const p of answer.positions) {
      expect(p.value).toBeCloseTo(Number(last.holdings[p.symbol].toFixed(6)) * Number(last.prices[p.symbol].toFixed(6)), 4);
      expect(p.sharePercent).toBeCloseTo((p.value! / answer.totals.total) * 100, 6);
    }
    // Since the first bar (80 hourly bars: more than 24 h of history).
    const first = sim.truth.snapshots[0];
    expect(answer.totals.pnlSinceStart?.since).toBe(Date.parse(first.bar));
    expect(answer.totals.pnlSinceStart?.amount).toBeCloseTo(Number(last.total.toFixed(6)) - Number(first.total.toFixed(6)), 6);
    expect(answer.totals.pnl24h).not.toBeNull();
    expect(answer.otherTraders).toEqual([]);
  });

  it('trades: the last n equal the truth, newest first; count clamped to 1..25', () => {
    const truth = sim.truth.trades.filter((t) => t.value >= 5);
    const model = modelAt(Date.parse(lastBar().bar));
    const answer = tradesAnswer(model, 7, trader);
    if (answer.kind !== 'trades') throw new Error(answer.kind);
    expect(answer.totalKnown).toBe(truth.length);
    expect(answer.trades.map((t) => [t.at, t.symbol, t.side, t.quantity])).toEqual(
      truth.slice(-7).reverse().map((t) => [Date.parse(t.bar), t.symbol, t.side, t.qty]),
    );
    const shown = (n: number) => {
      const a = tradesAnswer(model, n);
      return a.kind === 'trades' ? a.trades.length : -1;
    };
    expect(shown(100)).toBe(Math.min(25, truth.length));
    expect(shown(0)).toBe(1);
    expect((tradesAnswer(model) as { trades: unknown[] }).trades).toHaveLength(5);
    // A sell that closed part of a position opened in the history has a realised P&L.
    const sells = (tradesAnswer(model, 25, trader) as { trades: { side: string; realisedPnl: number | null }[] }).trades.filter((t) => t.side === 'SELL');
    expect(sells.some((t) => t.realisedPnl !== null)).toBe(true);
  });

  it('unknown names list what exists; a unique part of a name is enough', () => {
    const model = modelAt(Date.parse(lastBar().bar));
    expect(portfolioAnswer(model, 'trial999')).toMatchObject({ kind: 'unknown-name', what: 'trader', asked: 'trial999', known: [trader] });
    expect(tradesAnswer(model, 5, 'nobody')).toMatchObject({ kind: 'unknown-name', known: [trader] });
    expect(equitySeriesAnswer(model, 'nobody')).toMatchObject({ kind: 'unknown-name' });
    expect(portfolioAnswer(model, 'TRIAL250')).toMatchObject({ kind: 'portfolio', totals: { trader } });
  });

  it('equity series: downsampled points of the period and the trades in it', () => {
    const now = Date.parse(lastBar().bar);
    const answer = equitySeriesAnswer(modelAt(now), trader, 24 * HOUR);
    if (answer.kind !== 'equity-series') throw new Error(answer.kind);
    expect(answer.points.every((p) => p.at >= now - 24 * HOUR)).toBe(true);
    expect(answer.points.at(-1)?.at).toBe(now);
    const inPeriod = sim.truth.trades.filter((t) => t.value >= 5 && Date.parse(t.bar) >= now - 24 * HOUR);
    expect(answer.trades.map((t) => [t.at, t.symbol])).toEqual(inPeriod.map((t) => [Date.parse(t.bar), t.symbol]));
  });

  it('status and trader status: the trader without a process source or heartbeat is unknown, with its totals', () => {
    const model = modelAt(Date.parse(lastBar().bar));
    const status = statusAnswer(model);
    expect(status.traders).toHaveLength(1);
    expect(status.traders[0].process).toMatchObject({ trader, state: 'unknown' });
    expect(status.traders[0].portfolio?.total.toFixed(2)).toBe(lastBar().total.toFixed(2));
    expect(status.barista).toMatchObject({ sourcesTotal: 1, sourcesOk: 1, outboxPending: 0 });
    expect(traderStatusAnswer(model)).toMatchObject({ kind: 'trader-status', trader: { trader } });
  });
});

describe('queries on catalogue-written state', () => {
  let state: StateStore;
  beforeEach(() => {
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  });
  afterEach(() => state.close());

  const T0 = Date.parse('2026-03-01T00:00:00Z');
  const snapshot = (at: number, total: number): PortfolioSnapshot => ({ trader: 'alpha', at: new Date(at).toISOString(), cash: total / 2, total, reward: 0, holdings: {}, prices: {} });
  const bar = (at: number, total: number) => {
    state.transaction(() => {
      new EquitySeriesStore(state).record('alpha', { at, total, cash: total / 2 });
      writeCache(state, CATALOGUE.portfolio.of('alpha'), snapshot(at, total), new Date(at).toISOString());
    });
  };

  it('empty state: every query says nothing yet, with a hint', () => {
    const model = new ReadModel(state, () => T0);
    for (const answer of [portfolioAnswer(model), tradesAnswer(model), traderStatusAnswer(model), trainingStatusAnswer(model), trainingSeriesAnswer(model, 'x'), equitySeriesAnswer(model, 'x')]) {
      expect(answer.kind).toBe('nothing-yet');
      expect((answer as { hint: string }).hint.length).toBeGreaterThan(20);
    }
    expect(statusAnswer(model)).toMatchObject({ traders: [], host: null, training: { studies: [] } });
    expect(mutesAnswer(model).mutes).toEqual([]);
  });

  it('24 h P&L: null with less than 24 h of history, else against the last point at or before 24 h before the last bar', () => {
    for (let h = 0; h <= 20; h += 1) bar(T0 + h * HOUR, 1000 + h);
    const short = portfolioAnswer(new ReadModel(state, () => T0 + 20 * HOUR));
    expect(short).toMatchObject({ kind: 'portfolio', totals: { total: 1020, pnl24h: null, pnlSinceStart: { amount: 20, percent: 2, since: T0 } } });

    for (let h = 21; h <= 30; h += 1) bar(T0 + h * HOUR + 30 * 60_000, 1000 + h);
    const now = T0 + 30 * HOUR + 40 * 60_000;
    // 24 h before the last bar (T0 + 30h30m) is T0 + 6h30m: the last point at or before it is the bar of T0 + 6 h (1006).
    const long = portfolioAnswer(new ReadModel(state, () => now));
    if (long.kind !== 'portfolio') throw new Error(long.kind);
    expect(long.totals.pnl24h?.amount).toBe(1030 - 1006);
    expect(long.totals.pnl24h?.percent).toBeCloseTo((24 / 1006) * 100, 10);
    // A trader whose bars stopped a week ago: still its last day's change, not 0 against the wall clock.
    const later = portfolioAnswer(new ReadModel(state, () => now + 7 * 24 * HOUR));
    expect(later.kind === 'portfolio' && later.totals.pnl24h?.amount).toBe(1030 - 1006);
  });

  it('a cached value of the wrong shape reads as absent with one warning, never a crash', () => {
    state.setCache('portfolio:alpha', { total: 'lots' });
    state.setCache('host', { cpu: { used_pct: 5 } });
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as never;
    const model = new ReadModel(state, () => T0, { logger });
    expect(portfolioAnswer(model)).toMatchObject({ kind: 'nothing-yet' });
    expect(statusAnswer(model).host).toBeNull();
    statusAnswer(model);
    expect(warnings).toHaveLength(2); // one per key, however often it is read
  });

  it('trader state: running, paused, stale and stopped from the process and heartbeat caches', () => {
    const process = (subject: string, paused: boolean): CachedProcess => ({
      pid: 100, ppid: 1, class: 'trader', subject, trader: { name: subject, csv: 'paper_trades/a.csv', log: 'logs/a.log', heartbeat: 'paper_trades/a_heartbeat.json', model_dir: 'deployments/model_0' }, started_at: new Date(T0 - HOUR).toISOString(), state: paused ? 'T' : 'S', paused, cpu_percent: 1.5, rss_bytes: 1e8,
      script: 'paper_trader_alpaca_polling.py', command: 'python paper_trader_alpaca_polling.py', args: {}, model_dir: 'deployments/model_0', log_file: 'paper_trades/a.csv', timeframe: '1h', study_name: null, trial: null, log_path: 'logs/a.log', last_seen: new Date(T0).toISOString(),
    });
    const heartbeat = (next: number) => ({ timestamp: new Date(next - HOUR).toISOString(), last_poll_completed: new Date(next - HOUR).toISOString(), next_poll_scheduled: new Date(next).toISOString(), poll_count: 3, poll_interval: 60, timeframe: '1h', tickers: ['BTC/USD'], pid: 100, status: 'running' });
    writeCache(state, CATALOGUE.processes, [process('run', false), process('pause', true), process('late', false)], new Date(T0).toISOString());
    writeCache(state, CATALOGUE.heartbeat.of('run'), heartbeat(T0 + 10 * 60_000), null);
    writeCache(state, CATALOGUE.heartbeat.of('late'), heartbeat(T0 - HOUR), null);
    writeCache(state, CATALOGUE.heartbeat.of('gone'), heartbeat(T0 + HOUR), null);
    const model = new ReadModel(state, () => T0 + 60_000);
    const states = Object.fromEntries(statusAnswer(model).traders.map((t) => [t.process.trader, t.process.state]));
    expect(states).toEqual({ run: 'running', pause: 'paused', late: 'stale', gone: 'stopped' });
    expect(traderStatusAnswer(model, 'run')).toMatchObject({ trader: { pid: 100, pollCount: 3, tickers: ['BTC/USD'], files: { log: 'logs/a.log', csv: 'paper_trades/a.csv', modelDir: 'deployments/model_0' } } });
  });

  it('host: the cache maps to the answer\'s HostView', () => {
    writeCache(state, CATALOGUE.host, { cpu_percent: 12.5, cpu_count: 8, memory: { total_bytes: 16e9, available_bytes: 4e9, used_percent: 75 }, disk: { path: '/', total_bytes: 1e12, free_bytes: 4e11, used_percent: 60 }, gpus: [], alarms: [] }, new Date(T0).toISOString());
    expect(statusAnswer(new ReadModel(state, () => T0)).host).toEqual({ at: T0, cpuPercent: 12.5, cpuCount: 8, memory: { usedPercent: 75, totalBytes: 16e9 }, disk: { path: '/', usedPercent: 60, freeBytes: 4e11 }, gpus: [] });
  });

  it('mutes and health', () => {
    new MuteStore(state, () => T0).add({ matcher: { subject: 'alpha' }, expiresAt: T0 + HOUR, reason: 'maintenance', createdBy: 'u1' });
    const model = new ReadModel(state, () => T0 + 60_000);
    expect(mutesAnswer(model).mutes).toEqual([{ id: 1, match: { subject: 'alpha' }, reason: 'maintenance', createdBy: 'u1', createdAt: T0, expiresAt: T0 + HOUR }]);
    writeCache(state, CATALOGUE.sourceHealth.of('sessions'), { source: 'sessions', type: 'csv', follows: 'paper_trades/*.csv', committed_at: T0, newest_data_at: T0 - 30_000, last_error: { at: T0 + 1000, message: 'disk I/O error' } });
    const health = healthAnswer(model, { version: '1.2.3', startedAt: T0 - 10_000, rateLimitHits: () => 2 });
    expect(health).toMatchObject({ version: '1.2.3', uptimeS: 70, outbox: { pending: 0, rejected: 0, oldestPendingS: null, rateLimitHits: 2 } });
    expect(health.sources).toEqual([{ id: 'sessions', type: 'csv', follows: 'paper_trades/*.csv', lagS: 90, lastError: { at: T0 + 1000, message: 'disk I/O error' }, ok: false }]);
    expect(health.stateFileBytes).toBeGreaterThan(0);
  });

  it('health: the outbox per destination (pending, oldest, rejected)', () => {
    const outbox = new OutboxStore(state);
    const entry = (destination: string, key: string) => ({ destination, idempotencyKey: key, payload: { content: key } });
    const [, , rejected] = outbox.enqueue([entry('webhook:1', 'a'), entry('webhook:1', 'b'), entry('channel:2', 'c')], T0);
    outbox.enqueue([entry('webhook:1', 'd')], T0 + 30_000);
    outbox.markRejected(rejected!, 'Discord 400 50035: Invalid Form Body', T0);
    const health = healthAnswer(new ReadModel(state, () => T0 + 60_000), { version: 'x', startedAt: null, rateLimitHits: () => null });
    expect(health.uptimeS).toBeNull();
    expect(health.outbox.destinations).toEqual([
      { destination: 'channel:2', pending: 0, oldestPendingS: null, rejected: 1 },
      { destination: 'webhook:1', pending: 3, oldestPendingS: 60, rejected: 0 },
    ]);
  });
});

describe('training queries on a state filled by the optuna source', () => {
  it('best trials equal the study\'s, and the series holds every finished trial', () => {
    const h = new Harness(tempDir());
    try {
      copySample(h.workspace);
      h.component().poll();
      const truth = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'optuna', 'x.trials.json'), 'utf8')) as Record<string, { directions: string[]; trials: { number: number; state: string; values: number[] | null }[] }>;
      const model = new ReadModel(h.state, () => Date.now());
      const second = truth.second;
      const complete = second.trials.filter((t) => t.state === 'COMPLETE' && t.values);
      const best = [...complete].sort((a, b) => a.values![0] - b.values![0])[0]; // MINIMIZE
      const answer = trainingStatusAnswer(model, 'second');
      if (answer.kind !== 'training-status') throw new Error(answer.kind);
      expect(answer.studies[0]).toMatchObject({ study: 'second', direction: 'minimize' });
      expect(answer.studies[0].best[0]).toMatchObject({ number: best.number, value: best.values![0] });
      expect(answer.studies[0].counts.COMPLETE).toBe(complete.length);

      const series = trainingSeriesAnswer(model, 'sma_cross');
      if (series.kind !== 'training-series') throw new Error(series.kind);
      const finished = truth.sma_cross.trials.filter((t) => ['COMPLETE', 'PRUNED', 'FAIL'].includes(t.state));
      expect(series.trials.map((t) => [t.number, t.state])).toEqual(finished.map((t) => [t.number, t.state]));
      expect(series.direction).toBe('maximize');
      const running = trainingStatusAnswer(model, 'sma') as { studies: { running: { number: number }[] }[] };
      expect(running.studies[0].running.map((r) => r.number)).toEqual(truth.sma_cross.trials.filter((t) => t.state === 'RUNNING').map((t) => t.number));
      expect(trainingSeriesAnswer(model, 'nope')).toMatchObject({ kind: 'unknown-name', what: 'study', known: ['multi_obj', 'second', 'sma_cross'] });
    } finally {
      h.close();
    }
  });
});
