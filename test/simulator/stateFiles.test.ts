/** Heartbeat and positions_state.json: rewritten in place, sometimes caught empty or torn. */
import { existsSync, readFileSync } from 'node:fs';
import { inode, read, useSimulator } from './helpers';

interface Heartbeat {
  timestamp: string;
  next_poll_scheduled: string;
  poll_count: number;
  pid: number;
  status: string;
}

describe('heartbeat', () => {
  const { sim } = useSimulator({
    traders: [{ name: 'watchdog', csvFile: 'paper_trades/watchdog_session_20260205_165205.csv' }, { name: 'trial250' }],
  });
  const heartbeat = (path = 'paper_trades/trial250_heartbeat.json'): Heartbeat => JSON.parse(read(sim(), path)) as Heartbeat;

  it('lives under its odd real name and is rewritten in place after every poll', () => {
    sim().steps(2);
    expect(sim().trader('watchdog').heartbeatPath).toBe('paper_trades/watchdog_heartbeat.json_20260205_165205');
    expect(existsSync(sim().pathOf('paper_trades/watchdog_heartbeat.json_20260205_165205'))).toBe(true);
    const first = heartbeat();
    const firstInode = inode(sim(), 'paper_trades/trial250_heartbeat.json');
    sim().pollTrader('trial250');
    const second = heartbeat();
    expect(inode(sim(), 'paper_trades/trial250_heartbeat.json')).toBe(firstInode);
    expect(second.poll_count).toBe(first.poll_count + 1);
    expect(Date.parse(second.next_poll_scheduled)).toBeGreaterThan(Date.parse(first.next_poll_scheduled));
    expect(second.next_poll_scheduled).toMatch(/T\d\d:02:00\+00:00$/);
    expect(second).toMatchObject({ status: 'running', pid: sim().trader('trial250').pid });
    expect(sim().documentsWritten('paper_trades/trial250_heartbeat.json')).toHaveLength(second.poll_count);
  });

  it('can be caught empty or half-written, then completed', () => {
    sim().steps(2);
    const complete = read(sim(), 'paper_trades/trial250_heartbeat.json');
    sim().tearHeartbeat('trial250');
    expect(read(sim(), 'paper_trades/trial250_heartbeat.json')).toBe('');
    sim().tearHeartbeat('trial250', 40);
    const torn = read(sim(), 'paper_trades/trial250_heartbeat.json');
    expect(torn).toBe(complete.slice(0, 40));
    expect(() => JSON.parse(torn)).toThrow();
    expect(sim().finishHeartbeat('trial250')).toBe(true);
    expect(read(sim(), 'paper_trades/trial250_heartbeat.json')).toBe(complete);
  });

  it('stops beating while the trader hangs and beats again when it resumes', () => {
    sim().steps(4);
    const before = heartbeat();
    sim().hangTrader('trial250');
    sim().steps(3); // only the other trader polls
    sim().advanceClock(3 * 3600);
    expect(heartbeat()).toEqual(before);
    expect(Date.parse(sim().now())).toBeGreaterThan(Date.parse(before.next_poll_scheduled));
    sim().resumeTrader('trial250');
    const result = sim().pollTrader('trial250');
    expect(result.at).toBe(sim().truth.lifecycle.find((event) => event.kind === 'resumed')?.at);
    // The other trader's three hourly polls and the three idle hours: six missed bars at once.
    expect(result.bars).toBe(6);
    expect(heartbeat().poll_count).toBe(before.poll_count + 1);
  });
});

describe('positions_state.json', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250' }] });

  it('holds the last bar, open positions only, and the protection state', () => {
    sim().stepBars(20);
    const state = JSON.parse(read(sim(), 'paper_trades/positions_state.json')) as {
      timestamp: string;
      positions: { ticker: string; holdings: number; stop_loss_price: number; entry_price: number; last_trade_time: string | null }[];
      portfolio_protection: { initial_value: number; in_cash_mode: boolean };
    };
    const lastSnapshot = sim().truth.snapshots[sim().truth.snapshots.length - 1];
    expect(state.timestamp).toBe(lastSnapshot?.bar);
    const held = Object.entries(lastSnapshot?.holdings ?? {}).filter(([, holdings]) => holdings > 0);
    expect(state.positions.map((position) => [position.ticker, position.holdings])).toEqual(held);
    for (const position of state.positions) expect(position.stop_loss_price).toBeCloseTo(position.entry_price * 0.9, 6);
    expect(state.portfolio_protection).toMatchObject({ initial_value: 500, in_cash_mode: false });
    expect(readFileSync(sim().pathOf('paper_trades/positions_state.json'), 'utf8')).toContain('"initial_value": 500.0');
  });

  it('is restored by a restarted trader, which reports it in its banner', () => {
    sim().stepBars(6);
    const pid = sim().trader('trial250').pid;
    const info = sim().restartTrader('trial250');
    expect(info.pid).not.toBe(pid);
    const log = sim().writtenLines('logs/paper_trader_trial250.log');
    expect(log.some((line) => /^📋 State Restored \(from \d+\.\dh ago\):$/.test(line))).toBe(true);
    expect(log.some((line) => line.startsWith('   ✓ CSV last bar: '))).toBe(true);
    expect(sim().truth.lifecycle.map((event) => event.kind)).toEqual(['started', 'killed', 'restored-state', 'started']);
  });
});

describe('a torn positions_state.json at start-up', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250' }] });

  it('makes a restarted trader print "Failed to load saved state" and its traceback, then start fresh', () => {
    sim().stepBars(2);
    sim().tearDocument('paper_trades/positions_state.json');
    sim().restartTrader('trial250');
    const log = sim().writtenLines('logs/paper_trader_trial250.log');
    const at = log.indexOf('⚠️  Failed to load saved state: Expecting value: line 1 column 1 (char 0)');
    expect(at).toBeGreaterThan(0);
    expect(log[at + 1]).toBe('Traceback (most recent call last):');
    expect(log.slice(at).find((line) => line.startsWith('json.decoder.JSONDecodeError: '))).toBeDefined();
    expect(log.some((line) => line.startsWith('📋 State Restored'))).toBe(false);
    expect(sim().truth.errors.map((error) => error.kind)).toEqual(['saved-state']);
  });
});

describe('profit_protection.log', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250' }] });

  it('has one "[bar] message" line per portfolio-protection line the trader printed', () => {
    sim().stepBars(120);
    const kinds = new Set(['portfolio_initial', 'portfolio_new_high', 'portfolio_trailing_stop', 'profit_taking', 'move_to_cash', 'cash_cooldown_expired']);
    const printed = sim().truth.risk.filter((risk) => kinds.has(risk.kind));
    const logged = sim().writtenLines('paper_trades/profit_protection.log');
    expect(logged.length).toBeGreaterThan(1);
    expect(logged).toEqual(printed.map((risk) => `[${risk.bar}] ${risk.line.replace(/^ {2}🛡️ {2}/, '')}`));
    expect(logged[0]).toMatch(/^\[2026-02-09T07:00:00\+00:00\] Initial portfolio value: \$500\.00$/);
  });
});
