import { SUPPRESS_NOTIFICATIONS } from '../../../src/discord/DiscordMessage';
import { AT, event, fieldMap, renderOne, renderValid, UNIX } from './support';

const TRACEBACK = [
  'Error processing bars: could not convert string to float: \'\'',
  'Traceback (most recent call last):',
  '  File "/opt/cappuccino/scripts/deployment/paper_trader_alpaca_polling.py", line 1702, in run',
  '    self._process_new_bars()',
  '  File "/opt/cappuccino/scripts/deployment/paper_trader_alpaca_polling.py", line 981, in _process_new_bars',
  '    price = float(row["close"])',
  "ValueError: could not convert string to float: ''",
].join('\n');

describe('trades', () => {
  it('BUY: 📈 title, green, Quantity / Price / Total / Position / Portfolio Value inline, Discord times, footer', () => {
    const embed = renderOne(
      event('trade.executed', { trader: 'trial250_session', symbol: 'BTC/USD', side: 'BUY', qty: 0.012345, price: 43210.5, value: 533.43, position: 0.5, position_before: 0.487655, closed: false, total: 1234.56 }),
    );
    expect(embed.title).toBe('📈 BUY BTC/USD');
    expect(embed.color).toBe(0x2ecc71);
    expect(fieldMap(embed)).toEqual({ Quantity: '0.012345', Price: '$43,210.50', Total: '$533.43', Position: '0.487655 → 0.5', 'Portfolio Value': '$1,234.56' });
    expect(embed.fields!.every((field) => field.inline)).toBe(true);
    expect(embed.description).toContain('**trial250** bought 0.012345 BTC/USD at $43,210.50');
    expect(embed.description).toContain(`<t:${UNIX}:f> (<t:${UNIX}:R>)`);
    expect(embed.timestamp).toBe(AT);
    expect(embed.footer?.text).toBe('trial250_session · sessions');
  });

  it('SELL to zero: 📉 title, red, says the position closed; no Portfolio Value without a total', () => {
    const embed = renderOne(event('trade.executed', { trader: 'trial250_session', symbol: 'ETH/USD', side: 'SELL', qty: 0.25, price: 2712.5, value: 678.125, position: 0, position_before: 0.25, closed: true }));
    expect(embed.title).toBe('📉 SELL ETH/USD');
    expect(embed.color).toBe(0xe74c3c);
    expect(embed.description).toContain('sold 0.25 ETH/USD at $2,712.50, closing the position');
    expect(fieldMap(embed)['Portfolio Value']).toBeUndefined();
    expect(fieldMap(embed).Total).toBe('$678.13');
  });

  it('position.closed: P&L in the title, coloured by sign', () => {
    const win = renderOne(event('position.closed', { symbol: 'LINK/USD', entry: 14.2, exit: 14.65, pnl_pct: 3.2 }));
    expect(win.title).toBe('✅ Closed LINK/USD +3.20%');
    expect(win.color).toBe(0x2ecc71);
    expect(fieldMap(win)).toMatchObject({ Entry: '$14.20', Exit: '$14.65', 'P&L': '+3.20%' });
    const loss = renderOne(event('position.closed', { symbol: 'LINK/USD', entry: 14.2, exit: 13.9, pnl_pct: -2.11 }));
    expect(loss.title).toBe('🔻 Closed LINK/USD -2.11%');
    expect(loss.color).toBe(0xe74c3c);
  });

  it('portfolio.snapshot: 💼 summary with cash, total, invested and a holdings table of open positions', () => {
    const embed = renderOne(
      event(
        'portfolio.snapshot',
        { trader: 'trial250_session', cash: 351.27, total: 499.61, reward: -0.0007, holdings: { 'BTC/USD': 0.001, 'ETH/USD': 0.05, 'LINK/USD': 0 }, prices: { 'BTC/USD': 43210, 'ETH/USD': 2712.5, 'LINK/USD': 15 } },
        { severity: 'debug' },
      ),
    );
    expect(embed.title).toBe('💼 Portfolio Summary · trial250');
    const fields = fieldMap(embed);
    expect(fields).toMatchObject({ '💰 Total Value': '$499.61', '💵 Cash': '$351.27 (70.3%)', '📦 Invested': '$148.34' });
    expect(fields['💼 Positions']).toMatch(/^```\n[\s\S]*ETH\/USD[\s\S]*BTC\/USD[\s\S]*\n```$/);
    expect(fields['💼 Positions']).not.toContain('LINK');
  });
});

describe('errors', () => {
  it('trader.error: exception line in the title, lead says what happened, traceback in a py code block', () => {
    const embed = renderOne(
      event('trader.error', { exception: "ValueError: could not convert string to float: ''", exception_type: 'ValueError', context: 'processing_bars', fatal: false }, { severity: 'error', text: TRACEBACK, source: 'trader-log' }),
    );
    expect(embed.title).toBe("❌ ValueError: could not convert string to float: ''");
    expect(embed.description).toContain('**trial250** hit an error while processing bars; it carries on.');
    expect(embed.description).toContain('```py\nError processing bars');
    expect(embed.description!.endsWith("ValueError: could not convert string to float: ''\n```")).toBe(true);
    expect(embed.color).toBe(0xe74c3c);
  });

  it('a fatal traceback of 20 KB keeps its end (the exception) and fits the description', () => {
    const frames = Array.from({ length: 400 }, (_, i) => `  File "/opt/cappuccino/lib/module_${i}.py", line ${i}, in fn_${i}\n    call_${i}()`).join('\n');
    const text = `Traceback (most recent call last):\n${frames}\nRuntimeError: the very end`;
    const embed = renderOne(event('trader.error', { exception: 'RuntimeError: the very end', fatal: true }, { severity: 'critical', text }));
    expect(embed.title).toBe('🚨 RuntimeError: the very end');
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embed.description).toContain('stopped on an error');
    expect(embed.description).toContain('```py\n…\n');
    expect(embed.description!.endsWith('RuntimeError: the very end\n```')).toBe(true);
  });

  it('a one-line error without traceback has no code block; warning severity gets ⚠️', () => {
    const embed = renderOne(event('trader.error', { exception: 'HTTPError: 503', context: 'fetch', symbol: 'BTC/USD', fatal: false }, { severity: 'warning', text: 'Error fetching BTC/USD: HTTPError: 503' }));
    expect(embed.title).toBe('⚠️ HTTPError: 503');
    expect(embed.description).toContain('while fetching market data');
    expect(embed.description).toContain('Error fetching BTC/USD: HTTPError: 503');
    expect(fieldMap(embed).symbol).toBe('BTC/USD');
  });
});

describe('risk and alerts', () => {
  it.each([
    ['risk.stop_loss', { symbol: 'BTC/USD', pct: 10.2, entry: 45000 }, '🛑 Stop-loss · BTC/USD', { 'Down from entry': '-10.2%', Entry: '$45,000.00' }],
    ['risk.trailing_stop', { symbol: 'ETH/USD', pct: 5.5, high: 3000 }, '📉 Trailing stop · ETH/USD', { 'Down from high': '-5.5%', High: '$3,000.00' }],
    ['risk.concentration', { symbol: 'BTC/USD', requested: 0.5, allowed: 0.2, action: 'capped' }, '🛡️ Concentration limit · BTC/USD (capped)', { Requested: '0.5', Allowed: '0.2' }],
    // "(at 28% limit)": the position's current share (rules.yaml position-limit), not the limit.
    ['risk.position_limit', { symbol: 'LTC/USD', requested: 0.4239, allowed: 0.0552, position_pct: 28 }, '🛡️ Position limit · LTC/USD', { Requested: '0.4239', Allowed: '0.0552', Position: '28%' }],
    ['risk.portfolio_protection', { action: 'trailing_stop', drawdown_pct: 8.5, peak: 550, value: 503.25 }, '🛡️ Portfolio trailing stop: down 8.5% from peak', { Peak: '$550.00', Value: '$503.25' }],
    ['risk.portfolio_protection', { action: 'profit_taking', gain_pct: 12, sell_pct: 50 }, '💰 Profit taking: portfolio up 12%', { Selling: '50%' }],
    ['risk.portfolio_protection', { action: 'new_high', value: 560, gain_pct: 12 }, '🏔️ New portfolio high: $560.00', {}],
    ['risk.macro_regime', { regime: 'RISK_OFF', sizing_pct: 50, reason: 'VIX high' }, '🌐 Macro regime: RISK\\_OFF', { 'Position sizing': '50%', Reason: 'VIX high' }],
  ])('%s renders its numbers: %j', (type, fields, title, expected) => {
    const embed = renderOne(event(type, fields, { severity: 'warning', text: 'the trader line' }));
    expect(embed.title).toBe(title);
    expect(fieldMap(embed)).toMatchObject(expected);
    expect(embed.description).toContain('**trial250**: the trader line');
  });

  it('watchdog.alert: "🚨 CRITICAL · Watchdog: process", message as description, the log line as Details', () => {
    const line = '[2026-02-05 16:52:05,226] [CRITICAL] [paper_trading] Health check failed: No processes running (expected 1)';
    const embed = renderOne(event('watchdog.alert', { level: 'CRITICAL', process: 'paper_trading', message: 'Health check failed: No processes running (expected 1)' }, { severity: 'critical', text: line, source: 'watchdog-log', subject: 'watchdog' }));
    expect(embed.title).toBe('🚨 CRITICAL · Watchdog: paper\\_trading');
    expect(embed.color).toBe(0x992d22);
    expect(embed.description).toContain('Health check failed: No processes running (expected 1)');
    expect(fieldMap(embed).Details).toContain('\\[CRITICAL\\]');
  });

  it.each([
    ['watchdog.alert', { level: 'WARNING', check: 'alpha_decay', alpha_pct: -3.56, threshold_pct: -3, message: 'ALPHA DECAY: -3.56% (threshold: -3.0%)' }, '⚠️ WARNING · Watchdog', { Alpha: '-3.56%', Threshold: '-3.00%' }],
    ['monitor.alert', { level: 'WARNING', trader: 'single', title: 'No Trading Activity', message: 'no holding change for 24 h' }, '⚠️ WARNING · No Trading Activity', { Trader: 'single' }],
    ['monitor.level_changed', { previous: 'WARNING', level: 'CRITICAL', live_sharpe: -10.74 }, '⚠️ WARNING · Live performance WARNING → CRITICAL', { 'live\\_sharpe': '-10.74' }],
    ['host.memory', { value: 93.5, threshold: 90 }, '⚠️ WARNING · Host memory', { Now: '93.5%', Threshold: '90%' }],
    ['barista.warning', { reason: 'second-header', file: 'paper_trades/alpaca_session.csv', line: 120 }, '⚠️ WARNING · barista', { Reason: 'second-header', File: 'paper\\_trades/alpaca\\_session.csv', Line: '120' }],
  ])('%s: alert title and fields', (type, fields, title, expected) => {
    const embed = renderOne(event(type, fields, { severity: 'warning', text: 'something happened' }));
    expect(embed.title).toBe(title);
    expect(fieldMap(embed)).toMatchObject(expected);
  });
});

describe('performance rules', () => {
  it.each([
    ['performance.drawdown', { drawdown_pct: 12.3, peak: 520, total: 456, above_pct: 10 }, '📉 Drawdown · trial250', { Drawdown: '12.3%', Peak: '$520.00', Now: '$456.00', Limit: '10%' }],
    ['performance.alpha_decay', { alpha_pct: -4.2, strategy_return_pct: 1.1, benchmark_return_pct: 5.3, benchmark: 'BTC/USD', window: '24h' }, '🐢 Alpha decay · trial250', { vs: 'BTC/USD', Window: '24h' }],
    ['performance.sharpe_low', { sharpe: -1.4, below: -1, window: '7d' }, '📊 Low Sharpe · trial250', { Window: '7d' }],
    ['performance.concentration', { symbol: 'BTC/USD', share_pct: 35, position_value: 175, above_pct: 32 }, '🎯 Concentrated · trial250', { Symbol: 'BTC/USD', 'Share of total': '35%' }],
    ['performance.concentration_recovered', { share_pct: 20, worst_share_pct: 41 }, '✅ Concentration back under the limit · trial250', { Worst: '41%' }],
  ])('%s', (type, fields, title, expected) => {
    const embed = renderOne(event(type, fields, { severity: 'warning' }));
    expect(embed.title).toContain(title);
    expect(fieldMap(embed)).toMatchObject(expected);
  });
});

describe('trader lifecycle', () => {
  it.each([
    ['trader.started', { mode: 'paper', pid: 4242, timeframe: '1h' }, '🚀 Trader started · trial250', { PID: '4242', Mode: 'paper', Timeframe: '1h' }],
    ['trader.exited', { pid: 4242, exit_code: 1, runtime_s: 7260 }, '⏹️ Trader exited · trial250', { 'Ran for': '2 h 01 min', 'Exit code': '1' }],
    [
      'trader.exited',
      { pid: 4242, trader: 'x', log_file: 'paper_trades/x_session.csv', csv_file: 'paper_trades/x_session.csv', log: 'logs/paper_trader.log', heartbeat: 'paper_trades/x_heartbeat.json' },
      '⏹️ Trader exited · x',
      { Log: 'logs/paper\\_trader.log', CSV: 'paper\\_trades/x\\_session.csv', Heartbeat: 'paper\\_trades/x\\_heartbeat.json' }, // markdown-escaped
    ],
    ['trader.interrupted', {}, '🛑 Trader interrupted · trial250', {}],
    ['trader.paused', { pid: 4242 }, '⏸️ Trader paused · trial250', { PID: '4242' }],
    ['trader.resumed', { pid: 4242 }, '▶️ Trader resumed · trial250', { PID: '4242' }],
    ['trader.below_expected', { class: 'trader', expected: 1, running: 0, pids: [] }, '🚨 No trader running (1 expected)', {}],
    ['trader.below_expected', { class: 'trader', expected: 3, running: 2, pids: [11, 12] }, '⚠️ Only 2/3 traders running', { 'Running PIDs': '11, 12' }],
    ['trader.expected_ok', { class: 'trader', expected: 1, running: 1, pids: [11] }, '✅ 1 of 1 expected trader running again', {}],
  ])('%s', (type, fields, title, expected) => {
    const embed = renderOne(event(type, fields));
    expect(embed.title).toBe(title);
    expect(fieldMap(embed)).toMatchObject(expected);
  });

  it('trader.stale: relative times of the last and due polls, overdue and grace', () => {
    const embed = renderOne(
      event('trader.stale', { trader: 'trial250_session', last_poll: '2026-02-05T15:00:05Z', next_poll_scheduled: '2026-02-05T16:00:05Z', pid: 4242, poll_count: 17, overdue_s: 3120, grace_s: 300, timeframe: '1h', heartbeat_at: '2026-02-05T15:00:05Z' }, { severity: 'warning' }),
    );
    const last = Date.parse('2026-02-05T15:00:05Z') / 1000;
    expect(embed.title).toBe('⏰ trial250 is stale');
    const due = Date.parse('2026-02-05T16:00:05Z') / 1000;
    // The due time is absolute: a live "due 2 h ago" would contradict the overdue measured at detection.
    expect(embed.description).toContain(`**trial250** has not polled: last poll <t:${last}:R>; the poll due at <t:${due}:T> had not come 52 min later.`);
    expect(fieldMap(embed)).toMatchObject({ 'Last poll': `<t:${last}:f> (<t:${last}:R>)`, 'Overdue when seen': '52 min', Grace: '5 min', PID: '4242', 'Poll #': '17' });
    expect(fieldMap(embed).heartbeat_at).toBeUndefined();
  });

  it('process fields that name something (ppid, trial) read as written, not as amounts', () => {
    const embed = renderOne(event('trader.exited', { pid: 26464, ppid: 26427, trial: 1234, last_state: 'S', runtime_s: 33, uid_count: 26427 }));
    expect(fieldMap(embed)).toMatchObject({ PID: '26464', ppid: '26427', trial: '1234', 'uid\\_count': '26,427' }); // an amount keeps its separators
  });

  it('trader.recovered after a restart names the new process', () => {
    const embed = renderOne(event('trader.recovered', { pid: 5555, previous_pid: 4242, restarted: true, stale_for_s: 1800 }));
    expect(embed.title).toBe('✅ trial250 recovered');
    expect(embed.description).toContain('as a new process (pid 5555, was 4242) after 30 min');
  });
});

describe('training and deployment', () => {
  it('training.trial_completed: 🧠 update with value, duration, user attributes and compact params', () => {
    const embed = renderOne(
      event('training.trial_completed', { study: 'cappuccino_5m', number: 250, state: 'COMPLETE', value: 1.93, params: { learning_rate: 0.0003, gamma: 0.99, net_arch: 'medium' }, duration_s: 1234.5, mean_sharpe_bot: 1.2, sharpe_list_bot: [1, 2, 3], intermediate_values: 3 }, { source: 'optuna', subject: 'cappuccino_5m' }),
    );
    expect(embed.title).toBe('🧠 Training update · trial #250 completed');
    expect(embed.color).toBe(0x2ecc71);
    expect(embed.description).toContain('Study **cappuccino\\_5m** · value **1.93**');
    const fields = fieldMap(embed);
    expect(fields).toMatchObject({ Value: '1.93', Duration: '20 min 34 s', 'Sharpe (bot)': '1.2' });
    expect(fields.Params).toBe('```\nlearning_rate=3e-4\ngamma=0.99\nnet_arch=medium\n```');
    expect(fields.sharpe_list_bot).toBeUndefined();
  });

  it('pruned and failed trials', () => {
    expect(renderOne(event('training.trial_pruned', { study: 's', number: 7 })).title).toBe('✂️ Training update · trial #7 pruned');
    const failed = renderOne(event('training.trial_failed', { study: 's', number: 8, error: 'CUDA out of memory' }, { severity: 'warning' }));
    expect(failed.title).toBe('💥 Training update · trial #8 failed');
    expect(fieldMap(failed).Reason).toBe('CUDA out of memory');
  });

  it('training.best_improved: 🏆 with previous value and improvement', () => {
    const embed = renderOne(event('training.best_improved', { study: 'cappuccino_5m', number: 250, value: 1.93, previous: 1.9, improvement: 0.03, direction: 'MAXIMIZE', params: { gamma: 0.99 } }, { severity: 'notice' }));
    expect(embed.title).toBe('🏆 New best on cappuccino\\_5m: 1.93 (trial #250)');
    expect(embed.description).toContain('Up from **1.9** by 0.03 (+1.58%)');
    expect(fieldMap(embed)).toMatchObject({ Value: '1.93', Previous: '1.9', Improvement: '0.03', Direction: 'maximize', Params: '```\ngamma=0.99\n```' });
  });

  it.each([
    ['training.stalled', { study: 's', idle_s: 7200, median_s: 900 }, '🐢 Training stalled · s', { 'Idle for': '2 h 00 min', 'Median trial': '15 min' }],
    ['training.trial_stale', { study: 's', number: 12, running_s: 20000, reason: 'worker gone' }, '🧟 Trial #12 looks stuck · s', { 'Running for': '5 h 33 min', Why: 'worker gone' }],
    ['training.worker_started', { pid: 9001, study: 's' }, '👷 Training worker started', { PID: '9001', Study: 's' }],
    ['training.worker_exited', { pid: 9001, exit_code: 0, reason: 'memory_restart' }, '⏹️ Training worker exited', { PID: '9001', Reason: 'Memory restart' }],
    ['training.workers_below_expected', { running: 2, expected: 3 }, '⚠️ Only 2/3 training workers running', {}],
    ['deployment.model_deployed', { trial: 250, value: 0.172, study: 'cappuccino_ft', dir: 'deployments/model_0' }, '🚀 New model deployed · trial #250', { Trial: '#250', Sharpe: '0.172', Study: 'cappuccino\\_ft', Directory: 'deployments/model\\_0' }],
    ['deployment.skipped', { trial: 251, value: 0.1, details: 'not better' }, '⏭️ Deployment skipped · trial #251', { Details: 'not better' }],
    ['deployment.failed', { trial: 252, details: 'backtest Sharpe below 0' }, '❌ Deployment failed validation · trial #252', { Details: 'backtest Sharpe below 0' }],
    ['ensemble.updated', { added: [12, 13], removed: [4], count: 10, best: 0.21, mean: 0.15 }, '🧩 Ensemble updated: 10 models', { Added: '12, 13', Removed: '4', Models: '10', Best: '0.21', Mean: '0.15' }],
  ])('%s', (type, fields, title, expected) => {
    const embed = renderOne(event(type, fields));
    expect(embed.title).toBe(title);
    expect(fieldMap(embed)).toMatchObject(expected);
  });

  it('a worker that died with a traceback is shown as an error', () => {
    const embed = renderOne(event('training.worker_exited', { reason: 'crash', exception: 'MemoryError' }, { severity: 'error', text: 'Traceback (most recent call last):\n  File "1_optimize_unified.py", line 1, in <module>\nMemoryError' }));
    expect(embed.title).toBe('❌ MemoryError');
    expect(embed.description).toContain('**A training worker** hit an error');
    expect(embed.description).toContain('```py\n');
  });
});

describe('unknown types, routes', () => {
  it('an unknown type still renders: its type, text and every field', () => {
    const embed = renderOne(event('custom.thing_happened', { alpha: 1, beta: 'two', nested: { a: [1, 2] }, empty: '' }, { severity: 'notice', text: 'a custom line' }));
    expect(embed.title).toBe('🔔 custom.thing\\_happened');
    expect(embed.description).toContain('a custom line');
    expect(fieldMap(embed)).toEqual({ alpha: '1', beta: 'two', nested: 'a: \\[1, 2\\]' });
  });

  it('a silent route sets SUPPRESS_NOTIFICATIONS; every message has allowed_mentions { parse: [] }', () => {
    const [silent] = renderValid([event('trade.executed', { symbol: 'BTC/USD', side: 'BUY', qty: 1, price: 1, value: 1 })], { silent: true });
    expect(silent.flags).toBe(SUPPRESS_NOTIFICATIONS);
    expect(silent.allowed_mentions).toEqual({ parse: [] });
    const [loud] = renderValid([event('trade.executed', { symbol: 'BTC/USD', side: 'BUY', qty: 1, price: 1, value: 1 })]);
    expect(loud.flags).toBeUndefined();
  });

  it('names in bold stay on one line and never leave stray asterisks', () => {
    const odd = renderOne(event('risk.stop_loss', { symbol: 'BTC/USD', pct: 1 }, { subject: '  trial\n250_session  ', text: 'x' }));
    expect(odd.description).toContain('**trial 250**: x');
    const blank = renderOne(event('risk.stop_loss', { symbol: 'BTC/USD', pct: 1 }, { subject: '\u200b ', text: 'x' }));
    expect(blank.description).toContain('**unknown**: x');
  });

  it('hostile text never pings and never shows a webhook token', () => {
    const webhook = 'https://discord.com/api/webhooks/1098765432109876543/Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';
    const [message] = renderValid([event('trader.error', { exception: `@everyone <@123> failed ${webhook}`, context: 'discord' }, { severity: 'warning', text: `Discord notification failed: 400 for url: ${webhook} @here` })]);
    const json = JSON.stringify(message);
    expect(json).not.toContain('Zx9_yW8');
    expect(json).not.toMatch(/@everyone|@here|<@\d/);
  });
});
