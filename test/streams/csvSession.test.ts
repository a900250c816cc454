import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventDraft } from '../../src/model/BaristaEvent';
import { CsvHeaderError, CsvSession, isCsvHeaderLine, parseCsvHeader, parseCsvRow } from '../../src/streams/csvSession';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'csv');
const linesOf = (name: string): string[] => readFileSync(path.join(FIXTURES, name), 'utf8').split('\n').filter((l) => l !== '');

/** Feeds a whole fixture, numbering lines from 1 as the tailer would. */
function feed(session: CsvSession, lines: string[], firstLineNo = 1): EventDraft[] {
  return lines.flatMap((line, i) => session.acceptLine(`${line}\n`, { line: firstLineNo + i }));
}
const ofType = (drafts: EventDraft[], type: string) => drafts.filter((d) => d.type === type);
const warnings = (drafts: EventDraft[]) => ofType(drafts, 'barista.warning');
const trades = (drafts: EventDraft[]) =>
  ofType(drafts, 'trade.executed').map((d) => {
    const { symbol, side, qty, price, value, position, closed } = d.fields;
    return { at: d.at, symbol, side, qty, price, value, position, closed };
  });

const SEVEN = linesOf('trial250_session.csv');
const THREE = linesOf('alpaca_session_3.csv');

describe('parseCsvHeader', () => {
  it('names the tickers of a 7-ticker header, slash kept, in header order', () => {
    const layout = parseCsvHeader(SEVEN[0]);
    expect(layout.tickers).toEqual(['AAVE/USD', 'AVAX/USD', 'BTC/USD', 'LINK/USD', 'ETH/USD', 'LTC/USD', 'UNI/USD']);
    expect(layout.width).toBe(25);
    expect(layout.holdingColumns).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(layout.priceColumns).toEqual([11, 12, 13, 14, 15, 16, 17]);
    expect(layout.actionColumns).toEqual([18, 19, 20, 21, 22, 23, 24]);
  });

  it('reads a 3-ticker header', () => {
    expect(parseCsvHeader(THREE[0]).tickers).toEqual(['BTC/USD', 'ETH/USD', 'LTC/USD']);
  });

  it.each([
    ['the Coinbase trade log', 'timestamp,symbol,side,quantity,price,order_type,fee,total_value,portfolio_value,daily_pnl_pct,maker_ratio', /column 2 should be "cash", found "symbol"/],
    ['no tickers', 'timestamp,cash,total_asset,reward', /no holding_<TICKER> columns/],
    ['a price without its holding', 'timestamp,cash,total_asset,reward,holding_BTC/USD,price_BTC/USD,price_ETH/USD,action_BTC/USD', /price_ column for ETH\/USD without a holding_ column/],
    ['a missing action', 'timestamp,cash,total_asset,reward,holding_BTC/USD,price_BTC/USD', /no action_ column for BTC\/USD/],
    ['a duplicate', 'timestamp,cash,total_asset,reward,holding_BTC/USD,holding_BTC/USD,price_BTC/USD,action_BTC/USD', /"holding_BTC\/USD" appears twice/],
    ['an unknown column', 'timestamp,cash,total_asset,reward,holding_BTC/USD,price_BTC/USD,action_BTC/USD,volume', /column 8 "volume" is not holding_/],
  ])('refuses %s with a message saying what is wrong', (_what, header, message) => {
    expect(() => parseCsvHeader(header)).toThrow(CsvHeaderError);
    expect(() => parseCsvHeader(header)).toThrow(message);
  });

  it('tells header lines from data rows', () => {
    expect(isCsvHeaderLine(SEVEN[0])).toBe(true);
    expect(isCsvHeaderLine(`\uFEFF${SEVEN[0]}\r\n`)).toBe(true);
    expect(isCsvHeaderLine(SEVEN[1])).toBe(false);
  });
});

describe('parseCsvRow', () => {
  const layout = parseCsvHeader(SEVEN[0]);

  it('reads the §1.1.4 example row with its bar time as ISO UTC', () => {
    expect(parseCsvRow(layout, SEVEN[2])).toEqual({
      at: '2026-02-09T07:00:00.000Z',
      cash: 351.271973,
      total: 499.612305,
      reward: -0.000781,
      holdings: { 'AAVE/USD': 0, 'AVAX/USD': 4.918033, 'BTC/USD': 0, 'LINK/USD': 8.1234, 'ETH/USD': 0, 'LTC/USD': 0, 'UNI/USD': 0 },
      prices: { 'AAVE/USD': 112.300003, 'AVAX/USD': 9.14, 'BTC/USD': 70388.101562, 'LINK/USD': 9.86, 'ETH/USD': 2069.900024, 'LTC/USD': 55.09, 'UNI/USD': 3.4 },
    });
  });

  it('says why a row does not parse', () => {
    expect(parseCsvRow(layout, SEVEN[2].replace('351.271973', 'nan'))).toEqual({ error: expect.stringContaining('column 2 "nan"') });
    expect(parseCsvRow(layout, SEVEN[2].replace('2026-02-09T07:00:00+00:00', 'bar 7'))).toEqual({ error: expect.stringContaining('"bar 7" is not an ISO date-time') });
    expect(parseCsvRow(layout, THREE[1])).toEqual({ error: '13 columns, the header has 25' });
  });
});

describe('CsvSession: snapshots and trades of one trader', () => {
  it('emits a portfolio.snapshot per row with the trader, cash, total, holdings and prices', () => {
    const session = new CsvSession({ trader: 'trial250_session' });
    const drafts = feed(session, SEVEN.slice(0, 3));
    const snapshots = ofType(drafts, 'portfolio.snapshot');
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]).toMatchObject({
      at: '2026-02-09T07:00:00.000Z',
      fields: {
        trader: 'trial250_session',
        at: '2026-02-09T07:00:00.000Z',
        cash: 351.271973,
        total: 499.612305,
        holdings: { 'AVAX/USD': 4.918033, 'LINK/USD': 8.1234, 'BTC/USD': 0 },
        prices: { 'AVAX/USD': 9.14, 'BTC/USD': 70388.101562 },
      },
    });
  });

  it('derives BUY, SELL and sell-to-zero from holding deltas, several symbols in one bar, noise ignored', () => {
    const drafts = feed(new CsvSession({ trader: 'trial250_session' }), SEVEN);
    expect(trades(drafts)).toEqual([
      // 07:00: two buys in one bar, in header order
      { at: '2026-02-09T07:00:00.000Z', symbol: 'AVAX/USD', side: 'BUY', qty: 4.918033, price: 9.14, value: 44.950822, position: 4.918033, closed: false },
      { at: '2026-02-09T07:00:00.000Z', symbol: 'LINK/USD', side: 'BUY', qty: 8.1234, price: 9.86, value: 80.096724, position: 8.1234, closed: false },
      // 08:00: AVAX 4.918033 → 4.918034 (rounding) and a $3.52 BTC buy: no trades
      // 09:00: a buy and a partial sell
      { at: '2026-02-09T09:00:00.000Z', symbol: 'BTC/USD', side: 'BUY', qty: 0.0015, price: 70500, value: 105.75, position: 0.00155, closed: false },
      { at: '2026-02-09T09:00:00.000Z', symbol: 'LINK/USD', side: 'SELL', qty: 5.1234, price: 9.9, value: 50.72166, position: 3, closed: false },
      // 10:00: the rest of LINK: the whole position
      { at: '2026-02-09T10:00:00.000Z', symbol: 'LINK/USD', side: 'SELL', qty: 3, price: 9.95, value: 29.85, position: 0, closed: true },
    ]);
    expect(ofType(drafts, 'portfolio.snapshot')).toHaveLength(5);
    expect(ofType(drafts, 'barista.warning')).toEqual([]);
  });

  it("orders a row's drafts: snapshot first, then trades in header ticker order", () => {
    const session = new CsvSession({ trader: 'trial250_session' });
    feed(session, SEVEN.slice(0, 2));
    const drafts = session.acceptLine(SEVEN[2]);
    expect(drafts.map((d) => `${d.type} ${d.fields.symbol ?? ''}`.trim())).toEqual(['portfolio.snapshot', 'trade.executed AVAX/USD', 'trade.executed LINK/USD']);
    expect(drafts[1].text).toBe('BUY 4.918033 AVAX/USD @ $9.14 ($44.95) → 4.918033 held');
    expect(drafts[1].severity).toBe('info');
  });

  it('applies min_notional: below it is not a trade, exactly it is', () => {
    const drafts = feed(new CsvSession({ trader: 'alpaca_session', minNotional: 5 }), THREE);
    expect(trades(drafts)).toEqual([
      { at: '2026-02-10T12:05:00.000Z', symbol: 'ETH/USD', side: 'BUY', qty: 0.05, price: 2000, value: 100, position: 0.05, closed: false },
      // 12:10: SELL 0.002 = $4.00 is below $5 and not reported
      { at: '2026-02-10T12:15:00.000Z', symbol: 'ETH/USD', side: 'SELL', qty: 0.0025, price: 2000, value: 5, position: 0.0455, closed: false },
      { at: '2026-02-10T12:20:00.000Z', symbol: 'ETH/USD', side: 'SELL', qty: 0.0455, price: 2000, value: 91, position: 0, closed: true },
    ]);
  });

  it('with min_notional 0 reports small trades but still not a flip of the last printed digit', () => {
    const drafts = feed(new CsvSession({ trader: 'trial250_session', minNotional: 0 }), SEVEN.slice(0, 4));
    const at0800 = trades(drafts).filter((t) => t.at === '2026-02-09T08:00:00.000Z');
    expect(at0800).toEqual([{ at: '2026-02-09T08:00:00.000Z', symbol: 'BTC/USD', side: 'BUY', qty: 0.00005, price: 70401.5, value: 3.520075, position: 0.00005, closed: false }]);
  });

  it('reads CRLF line endings and a BOM, and skips blank lines', () => {
    const session = new CsvSession({ trader: 'trial250_session' });
    const drafts = [session.acceptLine(`\uFEFF${SEVEN[0]}\r\n`), session.acceptLine('\r\n'), session.acceptLine(`${SEVEN[1]}\r\n`), session.acceptLine(`${SEVEN[2]}\r\n`)].flat();
    expect(ofType(drafts, 'portfolio.snapshot')).toHaveLength(2);
    expect(trades(drafts).map((t) => t.symbol)).toEqual(['AVAX/USD', 'LINK/USD']);
  });
});

describe('CsvSession: starting at the end of a file and restarting', () => {
  it('takes the header without emitting, then trades start from the second row read', () => {
    const session = new CsvSession({ trader: 'trial250_session' });
    expect(session.acceptHeader(SEVEN[0])).toEqual([]);
    expect(session.tickers).toHaveLength(7);
    const first = session.acceptLine(SEVEN[3], { line: 4 });
    expect(first.map((d) => d.type)).toEqual(['portfolio.snapshot']);
    expect(trades(session.acceptLine(SEVEN[4], { line: 5 })).map((t) => `${t.side} ${t.symbol}`)).toEqual(['BUY BTC/USD', 'SELL LINK/USD']);
  });

  it('restored from its JSON state, yields the same events as a session that never stopped', () => {
    const uninterrupted = feed(new CsvSession({ trader: 'trial250_session' }), SEVEN);

    const before = new CsvSession({ trader: 'trial250_session' });
    const firstPart = feed(before, SEVEN.slice(0, 3));
    const persisted = JSON.stringify(before.state);
    const after = CsvSession.restore(JSON.parse(persisted));
    const secondPart = feed(after, SEVEN.slice(3), 4);

    expect([...firstPart, ...secondPart]).toEqual(uninterrupted);
    // The first row after the restart is compared with the last row before it.
    expect(trades(secondPart)[0]).toMatchObject({ at: '2026-02-09T09:00:00.000Z', symbol: 'BTC/USD', side: 'BUY' });
    expect(after.state).toEqual(JSON.parse(JSON.stringify(after.state)));
  });

  it('hands out a copy of its state, not a live view', () => {
    const session = new CsvSession({ trader: 'trial250_session' });
    feed(session, SEVEN.slice(0, 2));
    const state = session.state;
    feed(session, SEVEN.slice(2, 3), 3);
    expect(state.lastRow?.at).toBe('2026-02-09T06:00:00.000Z');
    expect(session.state.lastRow?.at).toBe('2026-02-09T07:00:00.000Z');
  });

  it('applies a changed min_notional on restore', () => {
    const session = new CsvSession({ trader: 'trial250_session', minNotional: 5 });
    feed(session, SEVEN.slice(0, 3));
    const restored = CsvSession.restore(session.state, { minNotional: 100 });
    expect(restored.minNotional).toBe(100);
    expect(trades(feed(restored, SEVEN.slice(3, 5), 4))).toEqual([expect.objectContaining({ symbol: 'BTC/USD', value: 105.75 })]);
  });

  it('refuses a state it did not write', () => {
    expect(() => CsvSession.restore({ version: 2 })).toThrow(/CSV session state is invalid/);
    const state = { ...new CsvSession({ trader: 't' }).state, header: THREE[0], status: 'tracking', lastRow: { at: '2026-02-10T12:00:00.000Z', cash: 1, total: 1, reward: 0, holdings: { 'BTC/USD': 0 }, prices: { 'BTC/USD': 1 } } };
    expect(() => CsvSession.restore(state)).toThrow(/does not match the header's tickers/);
  });
});

describe('CsvSession: several traders appending to one file', () => {
  it('a second header line: one warning naming file and line, no invented trades after it', () => {
    const lines = linesOf('shared_second_header.csv');
    const session = new CsvSession({ trader: 'alpaca_session', file: 'paper_trades/alpaca_session.csv' });
    const drafts = feed(session, lines);
    expect(warnings(drafts)).toHaveLength(1);
    expect(warnings(drafts)[0]).toMatchObject({
      severity: 'warning',
      fields: { trader: 'alpaca_session', file: 'paper_trades/alpaca_session.csv', reason: 'second-header', line: 4 },
    });
    expect(warnings(drafts)[0].text).toMatch(/^paper_trades\/alpaca_session\.csv \(line 4\): a second header line: "timestamp,cash,total_asset,reward,holding_BTC\/USD.*several traders/);
    // The trades before the second header are real; none after it.
    expect(trades(drafts).map((t) => `${t.at} ${t.side} ${t.symbol}`)).toEqual(['2026-02-09T07:00:00.000Z BUY AVAX/USD', '2026-02-09T07:00:00.000Z BUY LINK/USD']);
    expect(ofType(drafts, 'portfolio.snapshot')).toHaveLength(2);
    expect(session.state.status).toBe('interleaved');
  });

  it('a row of another width: one warning, no trades from the interleaved rows', () => {
    const drafts = feed(new CsvSession({ trader: 'alpaca_session' }), linesOf('shared_other_width.csv'));
    expect(warnings(drafts)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ reason: 'column-count', line: 3 }) })]);
    expect(warnings(drafts)[0].text).toContain('a row with 13 columns, the header has 25');
    expect(trades(drafts)).toEqual([]);
  });

  it('rows for the same bar from two traders (same width, no second header): one warning, no trades', () => {
    // Line 3 goes back (a clock step or a second trader?): held; line 5 goes back again: shared.
    const drafts = feed(new CsvSession({ trader: 'alpaca_session' }), linesOf('shared_same_bars.csv'));
    expect(warnings(drafts)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ reason: 'timestamp-order', line: 5 }) })]);
    expect(warnings(drafts)[0].text).toContain('the second time bars went back (first: bar 2026-02-09T06:00:00.000Z after 2026-02-09T06:00:00.000Z, line 3');
    expect(trades(drafts)).toEqual([]);
    expect(ofType(drafts, 'portfolio.snapshot')).toHaveLength(1);
  });

  it('stays quiet after the warning, also across a restart, until a new session (file replaced)', () => {
    const lines = linesOf('shared_other_width.csv');
    const session = new CsvSession({ trader: 'alpaca_session' });
    feed(session, lines.slice(0, 3));
    const restored = CsvSession.restore(JSON.parse(JSON.stringify(session.state)));
    expect(feed(restored, [...lines.slice(3), ...lines.slice(1)], 4)).toEqual([]);
    // A truncated or replaced file is read by a new session, which derives again.
    const fresh = feed(new CsvSession({ trader: 'alpaca_session' }), SEVEN.slice(0, 3));
    expect(trades(fresh)).toHaveLength(2);
  });
});

describe('CsvSession: a trader killed mid-row, and a clock step', () => {
  const header = SEVEN[0];
  const rows = SEVEN.slice(1);
  const tradeKeys = (drafts: EventDraft[]) => trades(drafts).map((t) => `${t.at} ${t.side} ${t.symbol}`);
  const reference = tradeKeys(feed(new CsvSession({ trader: 'trial250_session' }), SEVEN));

  it.each([10, 1, 30, rows[1].length - 1])('a partial row (%i bytes) with the next run’s row appended to it: one warning, that row and every later one read', (cut) => {
    const torn = rows[1].slice(0, cut) + rows[2];
    const drafts = feed(new CsvSession({ trader: 'trial250_session' }), [header, rows[0], torn, ...rows.slice(3)]);
    expect(warnings(drafts)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ reason: 'torn-row', line: 3 }) })]);
    expect(warnings(drafts)[0].text).toMatch(/\(line 3\): a partial row \(".*", the trader stopped mid-write\) was skipped; the row written after it is read\.$/);
    // Only the torn bar is missing: its trades show up against the next bar instead.
    const expected = tradeKeys(feed(new CsvSession({ trader: 'trial250_session' }), [header, rows[0], ...rows.slice(2)]));
    expect(tradeKeys(drafts)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(ofType(drafts, 'portfolio.snapshot')).toHaveLength(rows.length - 1);
  });

  it('a bar time that goes back once: the rows are held, then reported with one warning', () => {
    const stepped = rows[2].replace(/^2026-02-09T(\d\d)/, (_m, hour: string) => `2026-02-09T0${Number(hour) - 3}`);
    expect(Date.parse(stepped.slice(0, 25))).toBeLessThan(Date.parse(rows[1].slice(0, 25)));
    const later = [rows[3], rows[4], rows[4]].map((row, i) => row.replace(/^2026-02-09T\d\d/, `2026-02-09T1${i + 3}`));
    const session = new CsvSession({ trader: 'trial250_session' });
    const before = feed(session, [header, rows[0], rows[1]]);
    // Held while it could still be a second trader: nothing comes out, even across a restart.
    const restored = CsvSession.restore(JSON.parse(JSON.stringify(session.state)));
    const held = feed(restored, [stepped, later[0], later[1]], 4);
    expect(held).toEqual([]);
    const released = feed(restored, [later[2]], 7);
    expect(warnings(released)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ reason: 'clock-step', line: 4 }) })]);
    expect(warnings(released)[0].text).toContain('went back from 2026-02-09T07:00:00.000Z to 2026-02-09T05:00:00.000Z and then forward again for 3 rows');
    expect(ofType(released, 'portfolio.snapshot')).toHaveLength(4);
    expect([...tradeKeys(before), ...tradeKeys(released)].map((k) => k.split(' ').slice(1).join(' '))).toEqual(reference.map((k) => k.split(' ').slice(1).join(' ')));
    expect(restored.state.status).toBe('tracking');
  });
});

describe('CsvSession: files that are not trader CSVs, and broken rows', () => {
  it('a foreign header: one warning, the file is ignored', () => {
    const session = new CsvSession({ trader: 'coinbase_session', file: 'live_trades/coinbase_session.csv' });
    const drafts = feed(session, ['timestamp,symbol,side,quantity,price,order_type,fee,total_value,portfolio_value,daily_pnl_pct,maker_ratio', '2026-02-10T09:15:02+00:00,BTC/USD,BUY,0.001,69000,limit,0.1,69,1000,0.1,1.0']);
    expect(drafts).toEqual([expect.objectContaining({ type: 'barista.warning', fields: expect.objectContaining({ reason: 'not-a-trader-csv', line: 1 }) })]);
    expect(drafts[0].text).toMatch(/coinbase_session\.csv \(line 1\): not a Cappuccino trader CSV header \(column 2 should be "cash"/);
    expect(session.state.status).toBe('unrecognised');
  });

  it('a data row before any header: one warning, not guessed', () => {
    const session = new CsvSession({ trader: 'trial250_session' });
    const drafts = feed(session, SEVEN.slice(1, 4));
    expect(drafts).toEqual([expect.objectContaining({ type: 'barista.warning', fields: expect.objectContaining({ reason: 'row-before-header' }) })]);
  });

  it('a row of the right width that does not parse is skipped with one warning; trades compare with the last good row', () => {
    const broken = SEVEN[2].replace('351.271973', 'nan');
    const drafts = feed(new CsvSession({ trader: 'trial250_session' }), [SEVEN[0], SEVEN[1], broken, broken.replace('07:00', '07:30'), SEVEN[2]]);
    expect(warnings(drafts)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ reason: 'malformed-row', line: 3 }) })]);
    expect(trades(drafts).map((t) => t.symbol)).toEqual(['AVAX/USD', 'LINK/USD']);
  });

});

describe('a CSV that starts while barista watches', () => {
  const header = 'timestamp,cash,total_asset,reward,holding_BTC/USD,price_BTC/USD,action_BTC/USD';
  const row = '2026-02-09T06:00:00+00:00,300.000000,500.000000,0.000000,0.002857,70000.000000,0.500000';

  it('reports the first bar’s holdings as trades from an all-cash start', () => {
    const session = new CsvSession({ trader: 't_session' });
    session.acceptLine(header, { offset: 0 });
    const drafts = session.acceptLine(row, { offset: header.length + 1 });
    expect(drafts.map((d) => [d.type, d.fields.side, d.fields.qty])).toEqual([
      ['portfolio.snapshot', undefined, undefined],
      ['trade.executed', 'BUY', 0.002857],
    ]);
  });

  it('does not, when it joined the file later (the header read on its own)', () => {
    const session = new CsvSession({ trader: 't_session' });
    session.acceptHeader(header);
    expect(session.acceptLine(row, { offset: 500 }).map((d) => d.type)).toEqual(['portfolio.snapshot']);
  });
});
