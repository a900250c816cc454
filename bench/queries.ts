/**
 * The read side's queries on a large state: 10 traders × 10,000 trades, a year of 1-minute
 * bars per trader as the equity series keeps it (5-minute points for a week, hourly before),
 * a study of 20,000 trials. Each query beside a raw SELECT of the rows it reads, same run.
 * Also the cost of recording one 1-minute bar into the downsampled series.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOGUE, writeCache } from '../src/readModel/catalogue';
import { ReadModel } from '../src/readModel/ReadModel';
import { equitySeriesAnswer, portfolioAnswer, statusAnswer, tradesAnswer, trainingSeriesAnswer, trainingStatusAnswer } from '../src/readModel/queries';
import { EquitySeriesStore } from '../src/state/EquitySeriesStore';
import { StateStore } from '../src/state/StateStore';
import { TradeHistoryStore, type TradeRecord } from '../src/state/TradeHistoryStore';
import { TrialHistoryStore } from '../src/state/TrialHistoryStore';
import type { StudyCache } from '../src/streams/optunaTrials';
import { measure, printComparison } from './measure';
import { QUICK } from './support';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SYMBOLS = ['BTC/USD', 'ETH/USD', 'LTC/USD', 'AAVE/USD', 'AVAX/USD', 'LINK/USD', 'UNI/USD'];

function fill(state: StateStore, traders: number, tradesPerTrader: number, now: number): void {
  const history = new TradeHistoryStore(state);
  state.transaction(() => {
    for (let t = 0; t < traders; t += 1) {
      const trader = `trial${100 + t}`;
      const held: Record<string, number> = Object.fromEntries(SYMBOLS.map((s) => [s, 0]));
      const trades: TradeRecord[] = [];
      for (let i = 0; i < tradesPerTrader; i += 1) {
        const symbol = SYMBOLS[i % SYMBOLS.length];
        const side = held[symbol] > 0 && i % 3 === 0 ? 'SELL' : 'BUY';
        const qty = side === 'SELL' ? held[symbol] / 2 : 0.01;
        held[symbol] += side === 'BUY' ? qty : -qty;
        const price = 100 + (i % 50);
        trades.push({ eventId: `${trader}-${i}`, trader, at: now - 365 * DAY + Math.floor((i * 365 * DAY) / tradesPerTrader), symbol, side, qty, price, value: qty * price, position: held[symbol] });
      }
      history.record(trades);
      // What a year of 1-minute bars leaves: hourly points before the last week, 5-minute points in it.
      const insert = state.db.prepare('INSERT INTO equity_series (trader, at, total, cash) VALUES (?, ?, ?, ?)');
      for (let at = now - 365 * DAY; at < now - 7 * DAY; at += HOUR) insert.run(trader, at, 1000 + (at % 97), 500);
      for (let at = now - 7 * DAY; at <= now; at += 5 * MIN) insert.run(trader, at, 1000 + (at % 97), 500);
      const prices = Object.fromEntries(SYMBOLS.map((s) => [s, 120]));
      writeCache(state, CATALOGUE.portfolio.of(trader), { trader, at: new Date(now).toISOString(), cash: 500, total: 1000, reward: 0, holdings: held, prices }, new Date(now).toISOString());
    }
    const trials = new TrialHistoryStore(state);
    trials.record(Array.from({ length: 20_000 }, (_, n) => ({ study: 'big', number: n, state: n % 5 ? 'COMPLETE' : 'PRUNED', value: n % 5 ? Math.sin(n) : null, startedAt: now - (20_000 - n) * MIN, finishedAt: now - (20_000 - n) * MIN + 30_000 })));
    const study: StudyCache = { study: 'big', directions: ['MAXIMIZE'], counts: { COMPLETE: 16_000, PRUNED: 4000 }, total: 20_000, running: 0, best: { number: 11, value: 0.99 }, top: [], recent: [], target: null, done: 20_000, per_hour: 60, eta_s: null, median_duration_s: 30, stalled_since: null, running_trials: [] };
    writeCache(state, CATALOGUE.optuna.of('big'), study, new Date(now).toISOString());
  });
}

export function benchQueries(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'barista-bench-queries-'));
  try {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const traders = QUICK ? 3 : 10;
    const perTrader = QUICK ? 2000 : 10_000;
    const state = StateStore.open({ path: path.join(dir, 'state.db') });
    const started = process.hrtime.bigint();
    fill(state, traders, perTrader, now);
    console.log(`\nRead-side queries: state of ${traders} traders × ${perTrader.toLocaleString('en-US')} trades, a year of 1-min bars each (downsampled), a 20,000-trial study (filled in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s)`);
    const model = new ReadModel(state, () => now);
    const db = state.db;
    const n = QUICK ? 50 : 200;
    const rawTrades = db.prepare('SELECT * FROM trade_history WHERE trader = ? ORDER BY seq DESC LIMIT 25');
    const rawSymbol = db.prepare('SELECT * FROM trade_history WHERE trader = ? AND symbol = ? ORDER BY seq');
    const rawWeek = db.prepare('SELECT at, total FROM equity_series WHERE trader = ? AND at >= ? ORDER BY at');
    const rawTrials = db.prepare('SELECT number, state, value, finished_at FROM trial_history WHERE study = ? ORDER BY number');
    const rawCache = db.prepare("SELECT key, value FROM cache WHERE key LIKE 'portfolio:%'");

    printComparison('/trades 25 of one trader (with realised P&L of the sells)', measure('tradesAnswer(25, trader)', n, () => tradesAnswer(model, 25, 'trial100')), measure('raw SELECT … LIMIT 25', n, () => rawTrades.all('trial100')));
    printComparison('/portfolio of one trader (positions, entries from the history)', measure('portfolioAnswer(trader)', n, () => portfolioAnswer(model, 'trial100')), measure('raw SELECT of one symbol\'s trades', n, () => rawSymbol.all('trial100', 'BTC/USD')));
    printComparison('/status (every trader, training, host, barista)', measure('statusAnswer()', n, () => statusAnswer(model)), measure('raw SELECT of the portfolio caches', n, () => rawCache.all().map((r) => JSON.parse((r as { value: string }).value) as unknown)));
    printComparison('/chart equity, last 7 days', measure('equitySeriesAnswer(trader, 7 d)', n, () => equitySeriesAnswer(model, 'trial100', 7 * DAY)), measure('raw SELECT of the week\'s points', n, () => rawWeek.all('trial100', now - 7 * DAY)));
    printComparison('/chart equity, everything kept (a year)', measure('equitySeriesAnswer(trader)', n, () => equitySeriesAnswer(model, 'trial100')), measure('raw SELECT of the year\'s points', n, () => rawWeek.all('trial100', 0)));
    printComparison('/chart training, 20,000 trials', measure('trainingSeriesAnswer(study)', n, () => trainingSeriesAnswer(model, 'big')), measure('raw SELECT of the trials', n, () => rawTrials.all('big')));
    printComparison('/training status', measure('trainingStatusAnswer()', n, () => trainingStatusAnswer(model)), measure('raw SELECT of the study cache', n, () => db.prepare("SELECT value FROM cache WHERE key = 'optuna:big'").get()));
    const points = db.prepare('SELECT count(*) AS n FROM equity_series WHERE trader = ?').get('trial100') as { n: number };
    console.log(`  equity points kept for a year of 1-min bars: ${points.n.toLocaleString('en-US')} per trader`);
    state.close();

    // Recording: one 1-minute bar into the downsampled series, against a plain insert.
    const writes = StateStore.open({ path: path.join(dir, 'writes.db') });
    const equity = new EquitySeriesStore(writes);
    const plain = writes.db.prepare('INSERT INTO equity_series (trader, at, total, cash) VALUES (?, ?, ?, ?)');
    const bars = QUICK ? 20_000 : 100_000;
    const subject = measure('EquitySeriesStore.record (1-min bars)', bars, (i) => equity.record('a', { at: i * MIN, total: 1000, cash: 500 }));
    const baseline = measure('raw INSERT of every bar', bars, (i) => plain.run('b', i * MIN, 1000, 500));
    printComparison(`Recording a bar (autocommit each, ${bars.toLocaleString('en-US')} bars)`, subject, baseline);
    writes.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
