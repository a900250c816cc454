/** Start-up banners, errors with tracebacks, fatal starts, signals, buffering. */
import { NO_RANDOM_EVENTS, TraderSimulator } from '../support/simulator';
import { useTempDir } from '../support/tempDir';
import { completeLines, read, useSimulator } from './helpers';

const LOG = 'logs/paper_trader_trial250.log';

describe('a running trader', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250' }] });

  it('starts with the real banner, in order', () => {
    sim().start();
    const log = sim().writtenLines(LOG);
    const order = [
      '✓ Per-position risk management:',
      '🛡️  Portfolio profit protection:',
      "⚠️  Tiburtina integration failed: No module named 'src'",
      'ℹ️  Discord notifications disabled in config',
      '🔍 Model expects 7 tickers',
      "✓ Using training tickers: ['AAVE/USD', 'AVAX/USD', 'BTC/USD', 'LINK/USD', 'ETH/USD', 'LTC/USD', 'UNI/USD']",
      'Latest timestamp: 2026-02-09 06:00:00+00:00',
      'EPISODE COMPLETE - Fee Report',
      'Environment warmed up at step 114/114',
      '📋 No saved state found - starting fresh',
      'Starting Alpaca paper trading (REST API polling)...',
      "Tickers: ['AAVE/USD', 'AVAX/USD', 'BTC/USD', 'LINK/USD', 'ETH/USD', 'LTC/USD', 'UNI/USD']",
      'Poll interval: 3600s',
      'Press Ctrl+C to stop.',
    ].map((line) => log.indexOf(line));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(log.at(-1)).toBe('');
  });

  it('polls in blocks: polling line, fetch lines, found bars, snapshot, next poll', () => {
    sim().stepBars(2);
    const log = sim().writtenLines(LOG);
    const last = log.lastIndexOf(log.filter((line) => line.endsWith('] Polling for new bars...')).at(-1) as string);
    const block = log.slice(last);
    expect(block[0]).toMatch(/^\[2026-02-09T\d\d:02:00\+00:00\] Polling for new bars\.\.\.$/);
    expect(block).toContain('    BTC/USD: 4 bars');
    expect(block).toContain('  Fetched 28 raw bars');
    expect(block).toContain('  Found 7 new bars to process');
    expect(block.some((line) => /^\[2026-02-09T\d\d:00:00\+00:00\] cash=\d+\.\d\d total=\d+\.\d\d reward=-?\d+\.\d{6} actions=\[.*\]$/.test(line))).toBe(true);
    expect(block.at(-1)).toMatch(/^ {2}Next poll at \d\d:02:00 UTC \(in \d+\.\d minutes\)$/);
  });

  it('writes "Error processing bars" followed by its traceback as one block', () => {
    sim().stepBars(1);
    sim().pollTrader('trial250', { error: 'read-timeout' });
    const log = sim().writtenLines(LOG);
    const error = sim().truth.errors.find((entry) => entry.kind === 'processing');
    expect(error?.lines[0]).toBe("Error processing bars: HTTPSConnectionPool(host='data.alpaca.markets', port=443): Read timed out.");
    const start = log.indexOf(error?.lines[0] as string);
    expect(log.slice(start, start + (error?.lines.length ?? 0))).toEqual(error?.lines);
    expect(log[start + 1]).toBe('Traceback (most recent call last):');
    expect(log[start + (error?.lines.length ?? 0) - 1]).toMatch(/^requests\.exceptions\.ReadTimeout: /);
    expect(log[start + (error?.lines.length ?? 0)]).toMatch(/^ {2}Next poll at /);
    // A chained traceback has blank lines inside the block.
    expect(error?.lines).toContain('During handling of the above exception, another exception occurred:');
  });

  it('SIGINT: prints at once, then exits when its sleep ends; no more polls', () => {
    sim().stepBars(1);
    sim().stopTrader('trial250');
    expect(sim().writtenLines(LOG).slice(-2)).toEqual(['', 'Received interrupt, stopping...']);
    expect(sim().step()).toMatchObject({ actor: 'trial250', kind: 'exit' });
    expect(sim().trader('trial250').status).toBe('exited');
    expect(sim().step()).toBeUndefined();
    expect(sim().writtenLines(LOG).at(-1)).toBe('Received interrupt, stopping...');
  });

  it('SIGTERM: no last line, and the heartbeat still says running', () => {
    sim().stepBars(1);
    const lines = sim().writtenLines(LOG).length;
    sim().killTrader('trial250');
    expect(sim().step()).toBeUndefined();
    expect(sim().writtenLines(LOG)).toHaveLength(lines);
    expect(JSON.parse(read(sim(), 'paper_trades/trial250_heartbeat.json'))).toMatchObject({ status: 'running' });
  });
});

describe('per-position trailing stop (--trailing-stop-pct)', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250', risk: { trailingStopPct: 0.05, portfolioTrailingStopPct: 0 } }] });

  it('sells a position that fell from its high, with the TRAILING STOP line', () => {
    sim().stepBars(1);
    sim().script('trial250', { actions: { 'LTC/USD': 0.5 } });
    sim().stepBars(1);
    sim().script('trial250', { crash: { symbol: 'LTC/USD', pct: 0.07 } });
    sim().stepBars(1);
    const trailing = sim().truth.risk.find((risk) => risk.kind === 'trailing_stop');
    expect(trailing?.line).toMatch(/^ {2}⚠️ {2}TRAILING STOP triggered for LTC\/USD: down \d+\.\d% from high \$\d+\.\d\d$/);
    expect(sim().truth.trades.find((trade) => trade.reason === 'trailing_stop')).toMatchObject({ symbol: 'LTC/USD', side: 'SELL', holdingsAfter: 0, bar: trailing?.bar });
    expect(sim().writtenLines(LOG)).toContain('   Trailing stop: 5% from high');
  });
});

describe('fatal start-ups', () => {
  const dir = useTempDir('barista-sim-fatal-');

  function failing(fatal: 'missing-credentials' | 'cant-open-file' | 'argparse' | 'no-archive-module', modelDir?: string): string[] {
    const sim = new TraderSimulator({ workspace: dir(), rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250', fatal, ...(modelDir === undefined ? {} : { modelDir }) }] });
    sim.start();
    sim.close();
    expect(sim.step()).toBeUndefined();
    expect(sim.trader('trial250').status).toBe('exited');
    const lines = completeLines(read(sim, LOG));
    expect(lines).toEqual(sim.writtenLines(LOG));
    return lines;
  }

  it('ends the log with a traceback that reaches <module>', () => {
    const lines = failing('missing-credentials');
    const start = lines.indexOf('Traceback (most recent call last):');
    expect(lines[start + 1]).toMatch(/paper_trader_alpaca_polling\.py", line \d+, in <module>$/);
    expect(lines.at(-1)).toBe('ValueError: ALPACA_API_KEY and ALPACA_API_SECRET environment variables required');
    expect(lines[0]).toBe('✓ Per-position risk management:');
  });

  it('ends with ModuleNotFoundError for a non-adaptive ensemble', () => {
    const lines = failing('no-archive-module', 'train_results/ensemble');
    expect(lines).toContain('🧠 Loading ENSEMBLE mode (10 models)...');
    expect(lines.at(-1)).toBe("ModuleNotFoundError: No module named 'archive'");
  });

  it("writes only python's can't-open-file line", () => {
    expect(failing('cant-open-file')).toEqual(["python: can't open file '/opt/user-data/experiment/cappuccino/paper_trader_alpaca_polling.py': [Errno 2] No such file or directory"]);
  });

  it('writes argparse usage and error', () => {
    const lines = failing('argparse');
    expect(lines[0]).toMatch(/^usage: paper_trader_alpaca_polling\.py /);
    expect(lines.at(-1)).toBe('paper_trader_alpaca_polling.py: error: the following arguments are required: --model-dir');
  });
});

describe('python3 without -u (block-buffered stdout)', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250', stdout: 'block-buffered' }] });

  it('writes stdout in 8 KB chunks while stderr tracebacks jump ahead; SIGTERM loses the buffer', () => {
    sim().start();
    // The banner (about 2.6 KB) is still in the buffer; only the stderr lines reached the file.
    expect(completeLines(read(sim(), LOG))).toEqual(["⚠️  Tiburtina integration failed: No module named 'src'", 'Continuing without Tiburtina features...']);
    sim().stepBars(1);
    sim().pollTrader('trial250', { error: 'key-error' });
    const lines = sim().writtenLines(LOG);
    expect(lines.at(-1)).toBe("KeyError: 'timestamp'");
    expect(lines.some((line) => line.startsWith('Error processing bars'))).toBe(false);
    sim().stepBars(20);
    // The first 8 KB chunk arrived: the stdout line about the error lands after its traceback.
    const bytes = Buffer.byteLength(read(sim(), LOG));
    expect(bytes).toBeGreaterThan(8192);
    const after = sim().writtenLines(LOG);
    expect(after.findIndex((line) => line.startsWith("Error processing bars: 'timestamp'"))).toBeGreaterThan(after.indexOf("KeyError: 'timestamp'"));
    const onDisk = read(sim(), LOG);
    sim().killTrader('trial250');
    expect(read(sim(), LOG)).toBe(onDisk);
  });
});

describe('on the real clock (the demo)', () => {
  const START = '2026-12-03T07:00:00.500Z';
  const { sim } = useSimulator({ start: START, traders: [{ name: 'trial250', timeframe: '5s', pollIntervalSeconds: 5, historyHours: 1, firstPollAfterSeconds: 2, pid: 4242 }] });
  const at = (seconds: number) => new Date(Date.parse(START) + seconds * 1000);

  it('runs only what is due by the given time, and bars of 5 s carry times of that clock', () => {
    sim().start();
    expect(sim().stepUntil(at(1))).toEqual([]);
    expect(sim().stepUntil(at(2.5)).map((step) => [step.kind, step.at])).toEqual([['poll', '2026-12-03T07:00:02.500000+00:00']]);
    sim().stepUntil(at(13));
    const heartbeat = JSON.parse(read(sim(), 'paper_trades/trial250_heartbeat.json')) as { pid: number; timeframe: string; next_poll_scheduled: string };
    expect(heartbeat).toMatchObject({ pid: 4242, timeframe: '5s' });
    expect(Date.parse(heartbeat.next_poll_scheduled)).toBeGreaterThan(at(13).getTime());
    const bars = sim().writtenLines('paper_trades/trial250_session.csv').slice(1).map((row) => row.split(',')[0]);
    expect(bars.length).toBeGreaterThanOrEqual(2);
    for (const bar of bars) expect(Date.parse(bar.replace(' ', 'T'))).toBeGreaterThanOrEqual(Date.parse(START) - 5000);
  });

  it('crashTrader: the uncaught traceback reaches <module>, then nothing more; the heartbeat still says running', () => {
    sim().start();
    sim().stepUntil(at(8));
    sim().crashTrader('trial250');
    const log = sim().writtenLines('logs/paper_trader_trial250.log');
    const traceback = log.slice(log.lastIndexOf('Traceback (most recent call last):'));
    expect(traceback[1]).toMatch(/, in <module>$/);
    expect(traceback.at(-1)).toMatch(/^requests\.exceptions\.ConnectionError: /);
    expect(sim().trader('trial250').status).toBe('exited');
    expect(sim().stepUntil(at(60))).toEqual([]);
    expect(JSON.parse(read(sim(), 'paper_trades/trial250_heartbeat.json'))).toMatchObject({ status: 'running' });
  });
});
