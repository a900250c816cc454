/** Determinism, the session CSV, and the trades its holdings imply. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NO_RANDOM_EVENTS, PAPER_TRADING_TICKERS, TRAINING_TICKERS, TraderSimulator, type TradeTruth } from '../support/simulator';
import { useTempDir } from '../support/tempDir';
import { completeLines, parseSessionCsv, read, snapshotFolder, useSimulator } from './helpers';

describe('determinism', () => {
  const dir = useTempDir('barista-sim-seed-');

  function runInto(folder: string, seed: number): Map<string, Buffer> {
    const sim = new TraderSimulator({ workspace: path.join(dir(), folder), seed, traders: [{ name: 'trial250' }, { name: 'trial91', timeframe: '5m', discord: 'enabled' }], workers: 1 });
    sim.stepBars(60);
    sim.script('trial250', { error: 'key-error' });
    sim.stepBars(5);
    sim.stopAll();
    sim.steps(20);
    sim.close();
    return snapshotFolder(path.join(dir(), folder));
  }

  it('writes the same bytes for the same seed, and different ones for another seed', () => {
    const first = runInto('a', 42);
    const second = runInto('b', 42);
    const other = runInto('c', 43);
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
    for (const [file, bytes] of first) expect({ file, same: bytes.equals(second.get(file) as Buffer) }).toEqual({ file, same: true });
    expect(first.get('paper_trades/trial250_session.csv')?.equals(other.get('paper_trades/trial250_session.csv') as Buffer)).toBe(false);
  });
});

describe('session CSV', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250' }] });

  it('has one header, CRLF rows with every column, %.6f values and tickers with slashes', () => {
    sim().stepBars(30);
    const csvPath = 'paper_trades/trial250_session.csv';
    const raw = read(sim(), csvPath);
    expect(raw.endsWith('\r\n')).toBe(true);
    expect(raw.split('\r\n').filter((line) => line.startsWith('timestamp,'))).toHaveLength(1);
    const lines = completeLines(raw, '\r\n');
    const header = (lines[0] as string).split(',');
    expect(header).toContain('holding_BTC/USD');
    expect(header).toHaveLength(4 + 3 * TRAINING_TICKERS.length);
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      expect(cells).toHaveLength(header.length);
      expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\+00:00$/);
      for (const cell of cells.slice(1)) expect(cell).toMatch(/^-?\d+\.\d{6}$/);
    }
    expect(lines).toEqual(sim().writtenLines(csvPath));
    expect(lines).toHaveLength(31);
  });

  it('holds positions that change from row to row exactly as the recorded trades say', () => {
    sim().stepBars(240);
    const rows = parseSessionCsv(sim().writtenLines('paper_trades/trial250_session.csv'));
    const derived: Omit<TradeTruth, 'trader' | 'pid' | 'csvPath' | 'value' | 'reason'>[] = [];
    rows.forEach(({ row }, index) => {
      const previous = rows[index - 1]?.row;
      for (const ticker of TRAINING_TICKERS) {
        const before = previous === undefined ? 0 : Number(previous[`holding_${ticker}`]);
        const after = Number(row[`holding_${ticker}`]);
        if (after === before) continue;
        derived.push({
          bar: row.timestamp as string,
          symbol: ticker,
          side: after > before ? 'BUY' : 'SELL',
          qty: Math.abs(after - before),
          price: Number(row[`price_${ticker}`]),
          holdingsBefore: before,
          holdingsAfter: after,
        });
      }
    });
    const truth = sim().truth.trades;
    expect(derived).toHaveLength(truth.length);
    derived.forEach((trade, index) => {
      const expected = truth[index] as TradeTruth;
      expect({ ...trade, qty: undefined }).toEqual({ bar: expected.bar, symbol: expected.symbol, side: expected.side, qty: undefined, price: expected.price, holdingsBefore: expected.holdingsBefore, holdingsAfter: expected.holdingsAfter });
      expect(trade.qty).toBeCloseTo(expected.qty, 9);
    });
    // The kinds of change a trade deriver must handle all occur.
    expect(truth.some((trade) => trade.side === 'BUY')).toBe(true);
    expect(truth.some((trade) => trade.side === 'SELL' && trade.holdingsAfter > 0)).toBe(true);
    expect(truth.some((trade) => trade.side === 'SELL' && trade.holdingsAfter === 0)).toBe(true);
    expect(truth.some((trade) => trade.value < 5)).toBe(true);
    const perBar = new Map<string, number>();
    for (const trade of truth) perBar.set(trade.bar, (perBar.get(trade.bar) ?? 0) + 1);
    expect(Math.max(...perBar.values())).toBeGreaterThan(1);
  });

  it('trips a stop-loss on a scripted crash: lines before the snapshot, a sell to zero, a Closed line', () => {
    sim().stepBars(3);
    sim().script('trial250', { actions: { 'ETH/USD': 0.6 } });
    sim().stepBars(1);
    expect(sim().truth.trades.some((trade) => trade.symbol === 'ETH/USD' && trade.side === 'BUY')).toBe(true);
    sim().script('trial250', { crash: { symbol: 'ETH/USD', pct: 0.2 } });
    sim().stepBars(1);
    const stop = sim().truth.risk.find((risk) => risk.kind === 'stop_loss');
    expect(stop?.line).toMatch(/^ {2}⚠️ {2}STOP-LOSS triggered for ETH\/USD: down \d+\.\d% from entry \$\d+\.\d\d$/);
    const sale = sim().truth.trades.find((trade) => trade.reason === 'stop_loss');
    expect(sale).toMatchObject({ symbol: 'ETH/USD', side: 'SELL', holdingsAfter: 0, bar: stop?.bar });
    const log = sim().writtenLines('logs/paper_trader_trial250.log');
    const stopAt = log.indexOf(stop?.line as string);
    const snapshotAt = log.findIndex((line, index) => index > stopAt && line.startsWith(`[${stop?.bar}] cash=`));
    const closedAt = log.findIndex((line, index) => index > stopAt && line.startsWith('  💰 Closed ETH/USD: entry $'));
    expect(stopAt).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThan(stopAt);
    expect(snapshotAt).toBeGreaterThan(closedAt);
    expect(log[snapshotAt]).toMatch(/actions=\[.*-\d+\.\d+.*\]$/);
  });
});

describe('shared default CSV', () => {
  const dir = useTempDir('barista-sim-shared-');
  const traders = [
    { name: 'trial91', csvFile: 'paper_trades/alpaca_session.csv', tickers: TRAINING_TICKERS },
    { name: 'trial100', csvFile: 'paper_trades/alpaca_session.csv', tickers: PAPER_TRADING_TICKERS },
  ];

  it('interleaves the rows of several traders under one header', () => {
    const sim = new TraderSimulator({ workspace: dir(), rates: NO_RANDOM_EVENTS, traders });
    sim.stepBars(10);
    sim.close();
    const lines = completeLines(readFileSync(sim.pathOf('paper_trades/alpaca_session.csv'), 'utf8'), '\r\n');
    expect(lines.filter((line) => line.startsWith('timestamp,'))).toHaveLength(1);
    const bars = lines.slice(1).map((line) => line.split(',')[0]);
    // Two traders, one row each per bar: every bar appears twice, next to each other.
    expect(bars).toHaveLength(10);
    expect(new Set(bars).size).toBe(5);
  });

  it('gets a second header in another ticker order when the traders start together', () => {
    const sim = new TraderSimulator({ workspace: dir(), rates: NO_RANDOM_EVENTS, traders, csvHeaderRace: true });
    sim.stepBars(4);
    sim.close();
    const headers = sim.writtenLines('paper_trades/alpaca_session.csv').filter((line) => line.startsWith('timestamp,'));
    expect(headers).toHaveLength(2);
    expect(headers[0]).toContain('holding_AAVE/USD,holding_AVAX/USD');
    expect(headers[1]).toContain('holding_BTC/USD,holding_ETH/USD');
    expect(sim.trader('trial91').heartbeatPath).toBe('paper_trades/alpaca_heartbeat.json');
  });
});
