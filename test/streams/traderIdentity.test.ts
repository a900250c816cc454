import { heartbeatFileOfCsv, learnTraders, resolveTraderName, traderAliases, traderNameOfCsv, traderNameOfHeartbeat, traderNameOfProcess, traderOfFile, type TraderDirectory, type TraderFiles } from '../../src/streams/traderIdentity';

const DEFAULT_CSV = 'paper_trades/alpaca_session.csv';

/** A trader as a launcher starts it: its CSV (`--log-file`, default when absent) and where its stdout goes. */
function files(log: string | null, csv = DEFAULT_CSV, model_dir: string | null = null): TraderFiles {
  return { csv, log, heartbeat: heartbeatFileOfCsv(csv), model_dir };
}

/**
 * Every paper-trader launcher of surface.md §6: the files it gives a trader, the one name that
 * trader gets, and whether its files' names agree by themselves (else its process joins them).
 */
const LAUNCHERS: [launcher: string, trader: TraderFiles, name: string, agreeAlone: boolean][] = [
  ['start_paper_trader.sh', files('logs/paper_trader.log'), 'alpaca', true],
  ['restart_all_traders.sh (one of three on the default CSV)', files('logs/paper_trader_trial250.log'), 'trial250', false],
  ['activate_new_models.sh', files('logs/paper_trader_trial91.log'), 'trial91', false],
  ['paper_trading_failsafe.sh', files('logs/paper_trading_live.log'), 'alpaca', true],
  ['scripts/automation/start_training.sh', files('logs/paper_trading_ensemble.log', 'paper_trades/ensemble_cappuccino_tightened_20260201.csv'), 'ensemble_cappuccino_tightened_20260201', false],
  ['system_watchdog.py', files('logs/paper_trading_watchdog_20260205_165205.log', 'paper_trades/watchdog_session_20260205_165205.csv'), 'watchdog_20260205_165205', true],
  ['auto_model_deployer.py', files('logs/paper_trading_auto_20260205_190938.log', 'paper_trades/auto_session_20260205_190938.csv'), 'auto_20260205_190938', true],
  ['auto_model_deployer.py (arena)', files('logs/paper_trading_arena_20260206_080000.log', 'paper_trades/arena_session_20260206_080000.csv'), 'arena_20260206_080000', true],
  ['auto_replace_best_5m.py', files('logs/paper_trader_trial861_20260207_175728.log', 'paper_trades/trial861_session.csv'), 'trial861', true],
  ['start_paper_trader_from_archive.sh', files('logs/paper_trader_live.log'), 'alpaca', true],
  ['deploy_v2.py (deleted)', files('logs/paper_trading_trial17.log'), 'trial17', false],
  ['a trader with its own CSV and the anonymous log', files('logs/paper_trader.log', 'paper_trades/x_session.csv'), 'x', false],
];

const fileNames = (t: TraderFiles) => [['csv', t.csv], ['heartbeat', t.heartbeat], ['log', t.log!]] as const;

describe('one name per trader, for every launcher of surface.md §6', () => {
  it.each(LAUNCHERS)('%s: its process has the name', (_launcher, trader, name) => {
    expect(traderNameOfProcess(trader)).toBe(name);
  });

  it.each(LAUNCHERS.filter(([, , , alone]) => alone))('%s: log, CSV and heartbeat agree by their names alone', (_launcher, trader, name) => {
    for (const [kind, file] of fileNames(trader)) expect([file, traderOfFile(null, kind, file)]).toEqual([file, name]);
  });

  it.each(LAUNCHERS)('%s: once its process was seen, every file of it resolves to its name', (_launcher, trader, name) => {
    const directory = learnTraders(null, [{ name, pid: 1, files: trader }], '2026-02-09T07:00:00.000Z');
    for (const [kind, file] of fileNames(trader)) expect([file, traderOfFile(directory, kind, file)]).toEqual([file, name]);
    expect(directory.traders[name]).toMatchObject({ ...trader, pid: 1 });
    expect(directory.live).toEqual([name]);
  });

  it('restart_all_traders.sh: three traders on the default CSV keep their own names; the shared CSV and heartbeat are nobody’s', () => {
    const traders = ['trial91', 'trial100', 'trial250'].map((name, i) => ({ name, pid: 100 + i, files: files(`logs/paper_trader_${name}.log`, DEFAULT_CSV, `deployments/model_${i}`) }));
    for (const t of traders) expect(traderNameOfProcess(t.files)).toBe(t.name);
    // One of them ran alone before: the CSV was its; now it is shared again.
    const alone = learnTraders(null, [traders[0]], '2026-02-09T07:00:00.000Z');
    expect(traderOfFile(alone, 'csv', DEFAULT_CSV)).toBe('trial91');
    const directory = learnTraders(alone, traders, '2026-02-09T07:00:10.000Z');
    for (const t of traders) expect(traderOfFile(directory, 'log', t.files.log!)).toBe(t.name);
    expect(traderOfFile(directory, 'csv', DEFAULT_CSV)).toBe('alpaca');
    expect(traderOfFile(directory, 'heartbeat', 'paper_trades/alpaca_heartbeat.json')).toBe('alpaca');
    expect(directory.live).toEqual(['trial100', 'trial250', 'trial91']);
  });

  it('the failsafe wrapper’s own log is about the trader of paper_trading_live.log', () => {
    expect(traderOfFile(null, 'log', 'logs/paper_trading_failsafe.log')).toBe('alpaca');
    const directory = learnTraders(null, [{ name: 'trial17', pid: 1, files: files('logs/paper_trading_live.log', 'paper_trades/trial17_session.csv') }], '2026-02-09T07:00:00.000Z');
    expect(traderOfFile(directory, 'log', 'logs/paper_trading_failsafe.log')).toBe('trial17');
  });
});

describe('names of single files', () => {
  // The CSV names of surface.md §1.1.4, and the heartbeat the trader derives from each (§1.1.5).
  it.each([
    ['paper_trades/alpaca_session.csv', 'alpaca', 'paper_trades/alpaca_heartbeat.json'],
    ['paper_trades/trial250_session.csv', 'trial250', 'paper_trades/trial250_heartbeat.json'],
    ['paper_trades/watchdog_session_20260205_165205.csv', 'watchdog_20260205_165205', 'paper_trades/watchdog_heartbeat.json_20260205_165205'],
    ['paper_trades/auto_session_20260210_101500.csv', 'auto_20260210_101500', 'paper_trades/auto_heartbeat.json_20260210_101500'],
    ['paper_trades/arena_session_20260210_101500.csv', 'arena_20260210_101500', 'paper_trades/arena_heartbeat.json_20260210_101500'],
    ['paper_trades/ensemble_cappuccino_tightened_20260201.csv', 'ensemble_cappuccino_tightened_20260201', 'paper_trades/ensemble_cappuccino_tightened_20260201'],
    ['paper_trades/ensemble_session.csv', 'ensemble', 'paper_trades/ensemble_heartbeat.json'],
    ['paper_trades/ensemble_fixed_20260115.csv', 'ensemble_fixed_20260115', 'paper_trades/ensemble_fixed_20260115'],
    ['paper_trades/single_model_trial861.csv', 'single_model_trial861', 'paper_trades/single_model_trial861'],
    ['paper_trades/alpaca_session_20251108_201306.csv', 'alpaca_20251108_201306', 'paper_trades/alpaca_heartbeat.json_20251108_201306'],
  ])('%s is %s, and so is its heartbeat %s', (csv, name, heartbeat) => {
    expect(traderNameOfCsv(csv)).toBe(name);
    expect(heartbeatFileOfCsv(csv)).toBe(heartbeat);
    expect(traderNameOfHeartbeat(heartbeat)).toBe(name);
    expect(traderOfFile(null, 'heartbeat', heartbeat)).toBe(name);
  });

  it.each(['logs/worker_safe_1.log', 'logs/watchdog.log', 'logs/alerts.log', 'paper_trades/profit_protection.log', 'logs/auto_deployer_console.log'])('%s is no trader’s log', (log) => {
    expect(traderOfFile(null, 'log', log)).toBeNull();
  });
});

describe('the directory learnt from trader processes', () => {
  const T0 = '2026-02-09T07:00:00.000Z';
  const T1 = '2026-02-09T07:00:10.000Z';
  const x = { name: 'x', pid: 7, files: files('logs/paper_trader.log', 'paper_trades/x_session.csv', 'deployments/trial_7_live') };

  it('keeps what it learnt after the trader exits (its heartbeat still goes stale under its name)', () => {
    const seen = learnTraders(null, [x], T0);
    const gone = learnTraders(seen, [], T1);
    expect(traderOfFile(gone, 'log', 'logs/paper_trader.log')).toBe('x');
    expect(traderOfFile(gone, 'heartbeat', 'paper_trades/x_heartbeat.json')).toBe('x');
    expect(gone.traders.x).toEqual({ ...x.files, pid: 7, last_seen: T0 });
    expect(gone.live).toEqual([]);
  });

  it('a log taken over by another trader is learnt again', () => {
    const seen = learnTraders(null, [x], T0);
    const next = learnTraders(seen, [{ name: 'alpaca', pid: 8, files: files('logs/paper_trader.log') }], T1);
    expect(traderOfFile(next, 'log', 'logs/paper_trader.log')).toBe('alpaca');
    expect(Object.keys(next.traders)).toEqual(['alpaca', 'x']);
  });

  it('forgets the traders seen longest ago past 200, with their files', () => {
    let directory: TraderDirectory | null = null;
    for (let i = 0; i < 205; i++) {
      const at = new Date(Date.parse(T0) + i * 1000).toISOString();
      directory = learnTraders(directory, [{ name: `w${i}`, pid: i, files: files(null, `paper_trades/w${i}_session.csv`) }], at);
    }
    expect(Object.keys(directory!.traders)).toHaveLength(200);
    expect(directory!.traders.w4).toBeUndefined();
    expect(directory!.files['paper_trades/w4_session.csv']).toBeUndefined();
    expect(directory!.files['paper_trades/w5_session.csv']).toBe('w5');
  });

  it('lists the names a trader goes by', () => {
    expect(traderAliases(learnTraders(null, [x], T0), 'x')).toEqual(['x', 'paper_trader.log', 'paper_trader', 'x_heartbeat.json', 'x_heartbeat', 'x_session.csv', 'x_session']);
  });
});

describe('resolveTraderName: what a user types → the one name', () => {
  const directory = learnTraders(null, [{ name: 'x', pid: 7, files: files('logs/paper_trader.log', 'paper_trades/x_session.csv') }], '2026-02-09T07:00:00.000Z');
  const known = ['trial250', 'alpaca', 'watchdog_20260205_165205', 'x'];

  it.each([
    ['trial250', 'trial250'],
    ['trial250_session', 'trial250'],
    ['trial250_session.csv', 'trial250'],
    ['paper_trader_trial250', 'trial250'],
    ['logs/paper_trader_trial250.log', 'trial250'],
    ['trial250_heartbeat.json', 'trial250'],
    ['  TRIAL250 ', 'trial250'],
    ['alpaca_session', 'alpaca'],
    ['watchdog_session_20260205_165205', 'watchdog_20260205_165205'],
    ['watchdog_heartbeat.json_20260205_165205', 'watchdog_20260205_165205'],
    ['paper_trading_watchdog_20260205_165205', 'watchdog_20260205_165205'],
    // Learnt from the process: the anonymous log is x's, not the default trader's.
    ['paper_trader', 'x'],
    ['logs/paper_trader.log', 'x'],
    ['x_session', 'x'],
  ])('%j → %s', (typed, name) => {
    expect(resolveTraderName(typed, directory, known)).toBe(name);
  });

  it.each(['trial999', '', '   ', 'paper_trader_trial999'])('%j → nobody', (typed) => {
    expect(resolveTraderName(typed, directory, known)).toBeNull();
  });
});
