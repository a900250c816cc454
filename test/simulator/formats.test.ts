/** The pure formatters reproduce Python's renderings and the exact f-strings of surface.md. */
import { formatFixed, formatGeneral, pyFloatRepr, pyJsonDumps, pyRepr, PyInt } from '../support/simulator/python';
import { csvHeader, csvRow, heartbeatDocument, heartbeatPathFor } from '../support/simulator/sessionFiles';
import { isoUtc, loggingTime, microsFrom, pandasTimestamp } from '../support/simulator/time';
import { argparseErrorLines, cantOpenFileLine } from '../support/simulator/tracebacks';
import { closedLine, concentrationCappedLines, episodeReportLines, nextPollLine, protectionMessages, snapshotLine, stopLossLine } from '../support/simulator/traderLog';
import { progressMeter, bestDescription } from '../support/simulator/workerLog';
import { TRAINING_TICKERS } from '../support/simulator';

describe('Python number renderings', () => {
  it('rounds f-string fixed formats half-even on the exact binary value', () => {
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(1.5, 0)).toBe('2');
    expect(formatFixed(2.675, 2)).toBe('2.67'); // 2.675 is 2.67499999… in binary
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(-0.0001, 2)).toBe('-0.00');
    expect(formatFixed(70388.1015625, 6)).toBe('70388.101562');
    expect(formatFixed(500, 2)).toBe('500.00');
  });

  it('prints floats as repr() does', () => {
    expect(pyFloatRepr(0)).toBe('0.0');
    expect(pyFloatRepr(-0)).toBe('-0.0');
    expect(pyFloatRepr(500)).toBe('500.0');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.00001)).toBe('1e-05');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(-0.0312)).toBe('-0.0312');
    expect(formatGeneral(0.018213301, 6)).toBe('0.0182133');
  });

  it('prints lists and dicts as str() does', () => {
    expect(pyRepr(['BTC/USD', 'ETH/USD'])).toBe("['BTC/USD', 'ETH/USD']");
    expect(pyRepr({ batch_size: new PyInt(2048), gamma: 0.99 })).toBe("{'batch_size': 2048, 'gamma': 0.99}");
  });

  it('dumps JSON like json.dump(indent=2): floats keep .0, ints do not, non-ASCII is escaped', () => {
    expect(pyJsonDumps({ a: 1, b: new PyInt(2), c: [], d: null, e: 'é', f: ['x'] }, 2)).toBe('{\n  "a": 1.0,\n  "b": 2,\n  "c": [],\n  "d": null,\n  "e": "\\u00e9",\n  "f": [\n    "x"\n  ]\n}');
  });
});

describe('time renderings', () => {
  const at = microsFrom('2026-02-09T07:02:00.183Z') + 201;
  it('isoformat() prints microseconds only when there are some', () => {
    expect(isoUtc(at)).toBe('2026-02-09T07:02:00.183201+00:00');
    expect(isoUtc(microsFrom('2026-02-09T08:02:00Z'))).toBe('2026-02-09T08:02:00+00:00');
    expect(pandasTimestamp(microsFrom('2026-02-09T05:00:00Z'))).toBe('2026-02-09 05:00:00+00:00');
  });

  it('Python logging asctime is naive local time with milliseconds', () => {
    expect(loggingTime(microsFrom('2026-02-16T10:41:02.877Z'), -360)).toBe('2026-02-16 04:41:02,877');
  });
});

describe('trader lines (surface.md examples)', () => {
  it('reproduces the snapshot line of the example', () => {
    const actions = [0, 0.4521, 0, 0.3011, -0.02, 0, 0].map(Math.fround);
    expect(snapshotLine(microsFrom('2026-02-09T07:00:00Z'), 351.271973, 499.612305, -0.000781, actions)).toBe(
      '[2026-02-09T07:00:00+00:00] cash=351.27 total=499.61 reward=-0.000781 actions=[0.0, 0.4521, 0.0, 0.3011, -0.02, 0.0, 0.0]',
    );
  });

  it('reproduces the CSV header and row of the example', () => {
    expect(csvHeader(TRAINING_TICKERS)).toBe(
      'timestamp,cash,total_asset,reward,holding_AAVE/USD,holding_AVAX/USD,holding_BTC/USD,holding_LINK/USD,holding_ETH/USD,holding_LTC/USD,holding_UNI/USD,price_AAVE/USD,price_AVAX/USD,price_BTC/USD,price_LINK/USD,price_ETH/USD,price_LTC/USD,price_UNI/USD,action_AAVE/USD,action_AVAX/USD,action_BTC/USD,action_LINK/USD,action_ETH/USD,action_LTC/USD,action_UNI/USD',
    );
    const row = csvRow({
      bar: microsFrom('2026-02-09T07:00:00Z'),
      cash: 351.271973,
      total: 499.612305,
      reward: -0.000781,
      holdings: [0, 4.918033, 0, 8.1234, 0, 0, 0],
      // The example's ETH price is not a float32 value (the doc reconstructed it): pass it as is.
      prices: [...[112.3, 9.14, 70388.1, 9.86].map(Math.fround), 2069.900024, ...[55.09, 3.4].map(Math.fround)],
      actions: [0, 0.4521, 0, 0.3011, -0.02, 0, 0].map(Math.fround),
    });
    expect(row).toBe(
      '2026-02-09T07:00:00+00:00,351.271973,499.612305,-0.000781,0.000000,4.918033,0.000000,8.123400,0.000000,0.000000,0.000000,112.300003,9.140000,70388.101562,9.860000,2069.900024,55.090000,3.400000,0.000000,0.452100,0.000000,0.301100,-0.020000,0.000000,0.000000',
    );
  });

  it('keeps the emoji with their U+FE0F variation selectors and the exact wording', () => {
    expect(stopLossLine('ETH/USD', 10.4, 2712.55)).toBe('  \u26a0\ufe0f  STOP-LOSS triggered for ETH/USD: down 10.4% from entry $2712.55');
    expect(closedLine('LINK/USD', 9.87, 10.31, 4.458)).toBe('  💰 Closed LINK/USD: entry $9.87 → exit $10.31 (+4.5%)');
    expect(concentrationCappedLines('LINK/USD', 35.5, 21.43, 0, 49.7, 30)).toEqual([
      '  \u{1f6e1}\ufe0f  Concentration limit: LINK/USD buy capped from 35.50 to 21.43 shares',
      '      Current: 0.0%, Would be: 49.7%, Limit: 30%',
    ]);
    expect(protectionMessages.trailingStop(1.6, 507.12, 499.01)).toBe('PORTFOLIO TRAILING STOP: Down 1.6% from peak ($507.12 → $499.01)');
    expect(nextPollLine(microsFrom('2026-02-09T09:02:00Z'), microsFrom('2026-02-09T08:02:00.412Z'))).toBe('  Next poll at 09:02:00 UTC (in 60.0 minutes)');
  });

  it('prints the fee report block of environment_Alpaca.py', () => {
    const lines = episodeReportLines({ initialCapital: 500, finalPortfolio: 500, feesPaid: 0, buyFees: 0, sellFees: 0, buyTrades: 0, sellTrades: 0, equalWeightReturn: 0, equalWeightFee: 1.25 });
    expect(lines.slice(0, 7)).toEqual(['', '='.repeat(70), 'EPISODE COMPLETE - Fee Report', '='.repeat(70), '  Initial Capital:      $500.00', '  Final Portfolio:      $500.00', '  Net Return:           +0.00%']);
    expect(lines[lines.length - 3]).toBe('  Alpha vs Benchmark:   +0.00%');
  });

  it('wraps the argparse usage like argparse does for an 80-column stream', () => {
    const lines = argparseErrorLines();
    expect(lines[0]).toMatch(/^usage: paper_trader_alpaca_polling\.py \[-h\] --model-dir MODEL_DIR/);
    for (const line of lines.slice(1, -1)) expect(line).toMatch(/^ {38}\[/);
    // A line only overflows 78 columns when it holds a single option too long to share one.
    for (const line of lines.slice(1, -1)) if (line.length > 78) expect(line.trim()).not.toContain('] [');
    expect(lines.slice(0, -1).join(' ').replace(/\s+/g, ' ')).toContain('[--cooldown-after-cash-hours COOLDOWN_AFTER_CASH_HOURS] [--no-profit-protection]');
    expect(lines[lines.length - 1]).toBe('paper_trader_alpaca_polling.py: error: the following arguments are required: --model-dir');
    expect(cantOpenFileLine('python')).toBe("python: can't open file '/opt/user-data/experiment/cappuccino/paper_trader_alpaca_polling.py': [Errno 2] No such file or directory");
  });
});

describe('heartbeat file', () => {
  it.each([
    ['paper_trades/alpaca_session.csv', 'paper_trades/alpaca_heartbeat.json'],
    ['paper_trades/trial250_session.csv', 'paper_trades/trial250_heartbeat.json'],
    ['paper_trades/watchdog_session_20260205_165205.csv', 'paper_trades/watchdog_heartbeat.json_20260205_165205'],
    ['paper_trades/ensemble_cappuccino_tightened_20260201.csv', 'paper_trades/ensemble_cappuccino_tightened_20260201'],
    ['elsewhere/auto_session_20260205_170938.csv', 'paper_trades/auto_heartbeat.json_20260205_170938'],
  ])('%s → %s', (csv, heartbeat) => {
    expect(heartbeatPathFor(csv)).toBe(heartbeat);
  });

  it('is the JSON the trader dumps, with ints for counts and the pid', () => {
    const text = heartbeatDocument({
      now: microsFrom('2026-02-09T07:02:01.734Z') + 512,
      nextPoll: microsFrom('2026-02-09T08:02:00Z'),
      pollCount: 2,
      pollIntervalSeconds: 60,
      timeframe: '1h',
      tickers: ['BTC/USD'],
      pid: 184211,
    });
    expect(JSON.parse(text)).toEqual({
      timestamp: '2026-02-09T07:02:01.734512+00:00',
      last_poll_completed: '2026-02-09T07:02:01.734512+00:00',
      next_poll_scheduled: '2026-02-09T08:02:00+00:00',
      poll_count: 2,
      poll_interval: 60,
      timeframe: '1h',
      tickers: ['BTC/USD'],
      pid: 184211,
      status: 'running',
    });
    expect(text).toContain('\n  "poll_count": 2,\n');
  });
});

describe('training worker formats', () => {
  it('draws the tqdm meter Optuna shows', () => {
    const meter = progressMeter(58, 500, 9 * 3600 + 55 * 60 + 12, bestDescription(41, 0.018213301));
    expect(meter).toMatch(/^Best trial: 41\. Best value: 0\.0182133: {2}12%\|█▏ {8}\| 58\/500 \[9:55:12<\d+:\d\d:\d\d, 615\.72s\/it\]$/);
    expect(progressMeter(0, 500, 0, '')).toBe('  0%|          | 0/500 [00:00<?, ?it/s]');
  });
});
