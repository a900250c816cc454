/** Realistic command answers (as the queries would compute them) and hostile ones (fast-check). */
import fc from 'fast-check';
import type {
  Answer,
  EquitySeriesAnswer,
  HealthAnswer,
  MutesAnswer,
  NothingYetAnswer,
  PortfolioAnswer,
  PortfolioTotals,
  PositionView,
  StatusAnswer,
  StudyStatusView,
  TraderProcessView,
  TradesAnswer,
  TraderStatusAnswer,
  TrainingSeriesAnswer,
  TrainingStatusAnswer,
  UnknownNameAnswer,
} from '../../../src/readModel/answers';
import { hostileString } from './hostileEvents';

export const NOW = Date.parse('2026-02-05T16:52:05.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

export function traderView(overrides: Partial<TraderProcessView> = {}): TraderProcessView {
  return {
    trader: 'trial250',
    state: 'running',
    stateReason: null,
    pid: 4242,
    startedAt: NOW - 3 * HOUR - 5 * MIN,
    cpuPercent: 1.5,
    rssBytes: 350 * 1024 * 1024,
    lastPollAt: NOW - 5 * MIN,
    nextPollAt: NOW + 55 * MIN,
    pollCount: 187,
    timeframe: '1h',
    tickers: ['BTC/USD', 'ETH/USD', 'LINK/USD'],
    files: { log: '/home/u/cappuccino/logs/paper_trader_trial250.log', csv: '/home/u/cappuccino/paper_trades/trial250_session.csv', heartbeat: '/home/u/cappuccino/paper_trades/.heartbeat_trial250.json', modelDir: '/home/u/cappuccino/deployments/trial_250_live' },
    ...overrides,
  };
}

export function totals(overrides: Partial<PortfolioTotals> = {}): PortfolioTotals {
  return { trader: 'trial250', at: NOW - 52 * MIN, total: 1234.5678, cash: 234.5, invested: 1000.0678, pnlSinceStart: { amount: 234.57, percent: 23.46, since: Date.parse('2026-01-10T00:00:00Z') }, pnl24h: { amount: -12.3, percent: -0.99 }, ...overrides };
}

export function position(symbol: string, overrides: Partial<PositionView> = {}): PositionView {
  return { symbol, quantity: 0.012345, price: 43210.5, value: 533.43, sharePercent: 43.2, entryPrice: 41000, unrealisedPnl: { amount: 27.3, percent: 5.39 }, ...overrides };
}

export const portfolioAnswer: PortfolioAnswer = {
  kind: 'portfolio',
  now: NOW,
  totals: totals(),
  positions: [position('BTC/USD'), position('ETH/USD', { quantity: 0.19, price: 2500, value: 475, sharePercent: 38.5, entryPrice: 2600, unrealisedPnl: { amount: -19, percent: -3.85 } })],
  otherTraders: ['trial91'],
};

export function study(name: string, overrides: Partial<StudyStatusView> = {}): StudyStatusView {
  return {
    study: name,
    direction: 'maximize',
    counts: { COMPLETE: 120, PRUNED: 30, FAIL: 2, RUNNING: 3 },
    best: [
      { number: 57, value: 1.234567, params: { learning_rate: 0.0003, gamma: 0.99, batch_size: 64, net_dimension: 512 }, durationS: 720 },
      { number: 12, value: 1.2001, params: { learning_rate: 0.001, gamma: 0.98 }, durationS: 610 },
    ],
    trialsPerHour: 12.3,
    target: 500,
    etaS: 3 * 3600 + 300,
    running: [
      { number: 151, startedAt: NOW - 12 * MIN, ageS: 720 },
      { number: 152, startedAt: NOW - 3 * MIN, ageS: 180 },
    ],
    lastFinishedAt: NOW - 4 * MIN,
    ...overrides,
  };
}

export const trainingAnswer: TrainingStatusAnswer = { kind: 'training-status', now: NOW, studies: [study('cappuccino_3workers')], workers: { running: 3, paused: 0, expected: 3 } };

export function statusAnswer(overrides: Partial<StatusAnswer> = {}): StatusAnswer {
  return {
    kind: 'status',
    now: NOW,
    traders: [{ process: traderView(), portfolio: totals() }],
    training: { workers: { running: 3, paused: 0, expected: 3 }, studies: [{ study: 'cappuccino_3workers', direction: 'maximize', counts: { COMPLETE: 120, PRUNED: 30, FAIL: 2, RUNNING: 3 }, running: [], target: 500, etaS: 11_100, bestValue: 1.234567, bestNumber: 57 }] },
    host: { at: NOW - 10_000, cpuPercent: 12.3, cpuCount: 16, memory: { usedPercent: 71.2, totalBytes: 32 * 1024 ** 3 }, disk: { path: '/', usedPercent: 63.2, freeBytes: 120 * 1024 ** 3 }, gpus: [{ index: 0, model: 'NVIDIA GeForce RTX 3070', utilizationPercent: 99, memoryUsedMb: 6200, memoryTotalMb: 8192, temperatureC: 71 }] },
    barista: { sourcesOk: 6, sourcesTotal: 6, outboxPending: 0, oldestPendingS: null },
    ...overrides,
  };
}

export const tradesAnswer: TradesAnswer = {
  kind: 'trades',
  now: NOW,
  trader: 'trial250',
  totalKnown: 120,
  trades: [
    { trader: 'trial250', at: NOW - 10 * MIN, symbol: 'BTC/USD', side: 'SELL', quantity: 0.012345, price: 43210.5, value: 533.43, realisedPnl: 27.3 },
    { trader: 'trial250', at: NOW - 70 * MIN, symbol: 'ETH/USD', side: 'BUY', quantity: 0.19, price: 2500, value: 475, realisedPnl: null },
  ],
};

export const traderStatusAnswer: TraderStatusAnswer = { kind: 'trader-status', now: NOW, trader: traderView(), portfolio: totals() };

export const healthAnswer: HealthAnswer = {
  kind: 'health',
  now: NOW,
  version: '0.4.0',
  uptimeS: 3 * 3600 + 300,
  stateFileBytes: 12.3 * 1024 * 1024,
  sources: [
    { id: 'sessions', type: 'csv', follows: '2 files', lagS: 2, lastError: null, ok: true },
    { id: 'optuna', type: 'optuna', follows: '1 study', lagS: null, lastError: { at: NOW - 5 * MIN, message: 'database is locked' }, ok: false },
  ],
  outbox: { pending: 2, oldestPendingS: 45, rejected: 0, rateLimitHits: 3, refused: [{ destination: 'webhook:1098765432109876543', channels: ['trades'], sinceS: 600, error: 'Discord 404 10015: Unknown Webhook' }] },
};

export const mutesAnswer: MutesAnswer = {
  kind: 'mutes',
  now: NOW,
  mutes: [{ id: 12, match: { type: 'trade.*', subject: ['trial250', 'trial100'] }, reason: 'rebalancing', createdBy: 'alice', createdAt: NOW - HOUR, expiresAt: NOW + 2 * HOUR }],
};

export const equityAnswer: EquitySeriesAnswer = {
  kind: 'equity-series',
  now: NOW,
  trader: 'trial250',
  periodMs: 7 * 24 * HOUR,
  points: Array.from({ length: 50 }, (_, i) => ({ at: NOW - (50 - i) * 3 * HOUR, total: 1000 + i * 5 })),
  trades: [{ at: NOW - 10 * HOUR, side: 'BUY', symbol: 'BTC/USD', value: 500 }],
};

export const trainingSeriesAnswer: TrainingSeriesAnswer = {
  kind: 'training-series',
  now: NOW,
  study: 'cappuccino_3workers',
  direction: 'maximize',
  trials: [
    { number: 1, state: 'COMPLETE', value: 0.5, finishedAt: NOW - 3 * HOUR },
    { number: 2, state: 'PRUNED', value: null, finishedAt: NOW - 2 * HOUR },
    { number: 3, state: 'COMPLETE', value: 1.2, finishedAt: NOW - HOUR },
  ],
};

export const unknownNameAnswer: UnknownNameAnswer = { kind: 'unknown-name', now: NOW, what: 'trader', asked: 'trial999', known: ['trial250', 'trial100_session'] };
export const nothingYetAnswer: NothingYetAnswer = { kind: 'nothing-yet', now: NOW, what: 'trade', hint: 'Trades come from the trader CSV: add a csv source for paper_trades/*.csv.' };

export const REALISTIC: Answer[] = [statusAnswer(), portfolioAnswer, tradesAnswer, traderStatusAnswer, trainingAnswer, healthAnswer, mutesAnswer, equityAnswer, trainingSeriesAnswer, unknownNameAnswer, nothingYetAnswer];

// ------------------------------------------------------------------------------------ hostile

/** Odd numbers: NaN, ±Infinity, negative, huge, tiny. */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(fc.double(), fc.integer({ min: -1e9, max: 1e9 }), fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, -0, 1e308, -1e308, 5e-324, 1e21));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
/** A time: mostly sane, sometimes absurd. */
const oddTime: fc.Arbitrary<number> = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: NOW - 400 * 86_400_000, max: NOW + 86_400_000 }) }, { weight: 1, arbitrary: oddNumber });
const name: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: hostileString }, { weight: 1, arbitrary: fc.constantFrom('trial250', 'x'.repeat(10_000), '@everyone', '**bold** _x_ `code` ```', '😀'.repeat(300), '<@123456789012345678>') });
const pnl = maybe(fc.record({ amount: oddNumber, percent: oddNumber }));
const state = fc.constantFrom('running', 'paused', 'stopped', 'stale', 'unknown') as fc.Arbitrary<TraderProcessView['state']>;

const hostileTraderView: fc.Arbitrary<TraderProcessView> = fc.record({
  trader: name,
  state,
  stateReason: maybe(name),
  pid: maybe(oddNumber),
  startedAt: maybe(oddTime),
  cpuPercent: maybe(oddNumber),
  rssBytes: maybe(oddNumber),
  lastPollAt: maybe(oddTime),
  nextPollAt: maybe(oddTime),
  pollCount: maybe(oddNumber),
  timeframe: maybe(name),
  tickers: fc.array(name, { maxLength: 40 }),
  files: fc.record({ log: maybe(name), csv: maybe(name), heartbeat: maybe(name), modelDir: maybe(name) }),
});

const hostileTotals: fc.Arbitrary<PortfolioTotals> = fc.record({
  trader: name,
  at: oddTime,
  total: oddNumber,
  cash: oddNumber,
  invested: oddNumber,
  pnlSinceStart: maybe(fc.record({ amount: oddNumber, percent: oddNumber, since: oddTime })),
  pnl24h: pnl,
});

const hostilePosition: fc.Arbitrary<PositionView> = fc.record({ symbol: name, quantity: oddNumber, price: maybe(oddNumber), value: maybe(oddNumber), sharePercent: maybe(oddNumber), entryPrice: maybe(oddNumber), unrealisedPnl: pnl });

const params = fc.dictionary(name, fc.oneof(oddNumber, name, fc.boolean(), fc.constant(null)), { maxKeys: 12 });
const hostileStudy: fc.Arbitrary<StudyStatusView> = fc.record({
  study: name,
  direction: fc.constantFrom('maximize', 'minimize') as fc.Arbitrary<'maximize' | 'minimize'>,
  counts: fc.dictionary(fc.oneof(fc.constantFrom('COMPLETE', 'PRUNED', 'FAIL', 'RUNNING', 'WAITING'), name), oddNumber, { maxKeys: 6 }),
  best: fc.array(fc.record({ number: oddNumber, value: maybe(oddNumber), params, durationS: maybe(oddNumber) }), { maxLength: 6 }),
  trialsPerHour: maybe(oddNumber),
  target: maybe(oddNumber),
  etaS: maybe(oddNumber),
  running: fc.array(fc.record({ number: oddNumber, startedAt: maybe(oddTime), ageS: maybe(oddNumber) }), { maxLength: 12 }),
  lastFinishedAt: maybe(oddTime),
});

const workers = fc.record({ running: oddNumber, paused: oddNumber, expected: maybe(oddNumber) });

const hostileStatus: fc.Arbitrary<StatusAnswer> = fc.record({
  kind: fc.constant('status' as const),
  now: oddTime,
  traders: fc.array(fc.record({ process: hostileTraderView, portfolio: maybe(hostileTotals) }), { maxLength: 14 }),
  training: fc.record({
    workers,
    studies: fc.array(
      hostileStudy.chain((s) => fc.record({ bestValue: maybe(oddNumber), bestNumber: maybe(oddNumber) }).map((b) => ({ study: s.study, direction: s.direction, counts: s.counts, running: s.running, target: s.target, etaS: s.etaS, ...b }))),
      { maxLength: 50 },
    ),
  }),
  host: maybe(
    fc.record({
      at: oddTime,
      cpuPercent: maybe(oddNumber),
      cpuCount: maybe(oddNumber),
      memory: maybe(fc.record({ usedPercent: maybe(oddNumber), totalBytes: oddNumber })),
      disk: maybe(fc.record({ path: name, usedPercent: maybe(oddNumber), freeBytes: oddNumber })),
      gpus: fc.array(fc.record({ index: oddNumber, model: maybe(name), utilizationPercent: maybe(oddNumber), memoryUsedMb: maybe(oddNumber), memoryTotalMb: maybe(oddNumber), temperatureC: maybe(oddNumber) }), { maxLength: 6 }),
    }),
  ),
  barista: fc.record({ sourcesOk: oddNumber, sourcesTotal: oddNumber, outboxPending: oddNumber, oldestPendingS: maybe(oddNumber) }),
});

const side = fc.constantFrom('BUY', 'SELL') as fc.Arbitrary<'BUY' | 'SELL'>;

/** Any answer with hostile values, including the sizes the brief names (200 positions, 25 trades, 50 studies). */
export const hostileAnswer: fc.Arbitrary<Answer> = fc.oneof(
  hostileStatus,
  fc.record({ kind: fc.constant('portfolio' as const), now: oddTime, totals: hostileTotals, positions: fc.oneof(fc.array(hostilePosition, { maxLength: 20 }), fc.array(hostilePosition, { minLength: 150, maxLength: 200 })), otherTraders: fc.array(name, { maxLength: 30 }) }),
  fc.record({
    kind: fc.constant('trades' as const),
    now: oddTime,
    trader: maybe(name),
    trades: fc.array(fc.record({ trader: name, at: oddTime, symbol: name, side, quantity: oddNumber, price: oddNumber, value: oddNumber, realisedPnl: maybe(oddNumber) }), { maxLength: 25 }),
    totalKnown: oddNumber,
  }),
  fc.record({ kind: fc.constant('trader-status' as const), now: oddTime, trader: hostileTraderView, portfolio: maybe(hostileTotals) }),
  fc.record({ kind: fc.constant('training-status' as const), now: oddTime, studies: fc.array(hostileStudy, { maxLength: 50 }), workers }),
  fc.record({
    kind: fc.constant('health' as const),
    now: oddTime,
    version: name,
    uptimeS: oddNumber,
    stateFileBytes: maybe(oddNumber),
    sources: fc.array(fc.record({ id: name, type: name, follows: name, lagS: maybe(oddNumber), lastError: maybe(fc.record({ at: oddTime, message: name })), ok: fc.boolean() }), { maxLength: 40 }),
    outbox: fc.record({
      pending: oddNumber,
      oldestPendingS: maybe(oddNumber),
      rejected: oddNumber,
      rateLimitHits: oddNumber,
      refused: fc.array(fc.record({ destination: name, channels: fc.array(name, { maxLength: 3 }), sinceS: oddNumber, error: name }), { maxLength: 3 }),
    }),
  }),
  fc.record({
    kind: fc.constant('mutes' as const),
    now: oddTime,
    mutes: fc.array(
      fc.record({
        id: oddNumber,
        match: fc.record({ type: fc.oneof(name, fc.array(name, { maxLength: 8 })), subject: fc.oneof(name, fc.array(name, { maxLength: 8 })) }, { requiredKeys: [] }),
        reason: maybe(name),
        createdBy: maybe(name),
        createdAt: oddTime,
        expiresAt: oddTime,
      }),
      { maxLength: 40 },
    ),
  }),
  fc.record({
    kind: fc.constant('equity-series' as const),
    now: oddTime,
    trader: name,
    periodMs: maybe(oddNumber),
    points: fc.array(fc.record({ at: oddTime, total: oddNumber }), { maxLength: 60 }),
    trades: fc.array(fc.record({ at: oddTime, side, symbol: name, value: oddNumber }), { maxLength: 10 }),
  }),
  fc.record({
    kind: fc.constant('training-series' as const),
    now: oddTime,
    study: name,
    direction: fc.constantFrom('maximize', 'minimize') as fc.Arbitrary<'maximize' | 'minimize'>,
    trials: fc.array(fc.record({ number: oddNumber, state: name, value: maybe(oddNumber), finishedAt: maybe(oddTime) }), { maxLength: 30 }),
  }),
  fc.record({ kind: fc.constant('unknown-name' as const), now: oddTime, what: fc.constantFrom('trader', 'study') as fc.Arbitrary<'trader' | 'study'>, asked: name, known: fc.array(name, { maxLength: 60 }) }),
  fc.record({ kind: fc.constant('nothing-yet' as const), now: oddTime, what: fc.constantFrom('trader', 'study', 'trade', 'equity', 'trial') as fc.Arbitrary<NothingYetAnswer['what']>, hint: name }),
);
