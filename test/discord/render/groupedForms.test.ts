import type { DiscordEmbed } from '../../../src/discord/DiscordMessage';
import type { BaristaEvent } from '../../../src/model/BaristaEvent';
import { embedCharacters } from './discordRules';
import { event, fieldMap, renderValid } from './support';

const START = Date.parse('2026-02-05T16:50:00.000Z');
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString();

function trades(count: number, options: { subject?: (i: number) => string; spacing?: number } = {}): BaristaEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const side = i % 3 === 0 ? 'SELL' : 'BUY';
    const symbol = ['BTC/USD', 'ETH/USD', 'LINK/USD', 'AAVE/USD'][i % 4];
    const qty = 0.001 * ((i % 7) + 1);
    const price = 100 + (i % 11);
    const subject = options.subject?.(i) ?? 'trial250_session';
    return event('trade.executed', { trader: subject, symbol, side, qty, price, value: qty * price }, { at: at(i * (options.spacing ?? 4)), subject });
  });
}

/** "$1,234.56" → 1234.56 */
const dollars = (text: string) => Number(/-?\$([\d,.]+)/.exec(text)![1].replace(/,/g, '')) * (text.includes('-$') ? -1 : 1);
const count = (text: string) => Number(/^([\d,]+)/.exec(text)![1].replace(/,/g, ''));

describe('grouped trades', () => {
  it('"12 trades in 44 s on trial250": a table of every row, totals of bought, sold and net', () => {
    const events = trades(12);
    const messages = renderValid(events, { groupLabels: { subject: 'trial250_session' } });
    expect(messages).toHaveLength(1);
    const [embed] = messages[0].embeds;
    expect(embed.title).toBe('🔁 12 trades in 44 s on trial250');
    const table = /```\n([\s\S]*)\n```/.exec(embed.description!)![1].split('\n');
    expect(table[0]).toMatch(/^Time\s+Side\s+Symbol\s+Qty\s+Price\s+Value$/);
    expect(table).toHaveLength(13);
    expect(table[1]).toMatch(/^16:50:00\s+SELL\s+BTC\/USD\s+0\.001\s+\$100\.00\s+\$0\.10$/);
    const fields = fieldMap(embed);
    const bought = events.filter((e) => e.fields.side === 'BUY').reduce((sum, e) => sum + (e.fields.value as number), 0);
    const sold = events.filter((e) => e.fields.side === 'SELL').reduce((sum, e) => sum + (e.fields.value as number), 0);
    expect(fields['📈 Bought']).toBe(`8 buys · $${bought.toFixed(2)}`);
    expect(fields['📉 Sold']).toBe(`4 sells · $${sold.toFixed(2)}`);
    expect(dollars(fields['💵 Net cash flow'])).toBeCloseTo(sold - bought, 2);
    expect(fields['By symbol']).toContain('AAVE/USD');
    expect(embed.footer?.text).toBe('trial250_session · sessions · 12 events');
    expect(embed.timestamp).toBe(at(44));
  });

  it('10,000 trades: one message, "… and N more" rows, counts and totals over all 10,000', () => {
    const events = trades(10_000, { spacing: 0.001 });
    const messages = renderValid(events);
    expect(messages).toHaveLength(1);
    const [embed] = messages[0].embeds;
    expect(embed.title).toMatch(/^🔁 10,000 trades in 10 s on trial250$/);
    const table = /```\n([\s\S]*)\n```/.exec(embed.description!)![1].split('\n');
    const shown = table.length - 2;
    expect(table.at(-1)).toBe(`… and ${(10_000 - shown).toLocaleString('en-US')} more`);
    expect(shown).toBeGreaterThan(10);
    const fields = fieldMap(embed);
    expect(count(fields['📈 Bought']) + count(fields['📉 Sold'])).toBe(10_000);
    const bought = events.filter((e) => e.fields.side === 'BUY').reduce((sum, e) => sum + (e.fields.value as number), 0);
    expect(dollars(fields['📈 Bought'])).toBeCloseTo(bought, 1);
    expect(embedCharacters(messages[0])).toBeLessThanOrEqual(6000);
  });

  it('trades of several traders get a trader column and count every event whatever its data', () => {
    const events = [
      ...trades(6, { subject: (i) => (i % 2 ? 'trial250_session' : 'trial300_session') }),
      event('trade.executed', { symbol: 'BTC/USD', side: 'buy', qty: 'lots', price: null, value: 'NaN' }),
      event('trade.executed', { symbol: 'BTC/USD', side: 'HOLD', qty: 1, price: 1, value: 1 }),
    ];
    const [message] = renderValid(events);
    const [embed] = message.embeds;
    expect(embed.title).toMatch(/^🔁 8 trades .* on 2 traders$/);
    expect(embed.description).toMatch(/Time\s+Trader\s+Side/);
    const fields = fieldMap(embed);
    expect(count(fields['📈 Bought']) + count(fields['📉 Sold']) + count(fields['Other side'])).toBe(8);
    expect(fields['Without a value']).toBe('1 trade (not in the totals)');
  });

  it('closed positions: wins, losses and the average P&L', () => {
    const events = [3.2, -1.2, 5, -0.4].map((pnl, i) => event('position.closed', { symbol: 'LINK/USD', entry: 14, exit: 14 * (1 + pnl / 100), pnl_pct: pnl }, { at: at(i * 60) }));
    const [message] = renderValid(events);
    const [embed] = message.embeds;
    expect(embed.title).toBe('✅ 4 positions closed in 3 min on trial250 · average +1.65%');
    expect(fieldMap(embed)).toMatchObject({ '✅ Wins': '2', '🔻 Losses': '2', 'Average P&L': '+1.65%', 'Best / worst': '+5.00% / -1.20%' });
  });
});

describe('grouped alerts and errors', () => {
  it('"5 stop-losses on trial250": one line per event with its time', () => {
    const events = Array.from({ length: 5 }, (_, i) => event('risk.stop_loss', { symbol: 'BTC/USD', pct: 10 + i, entry: 45000 }, { severity: 'warning', at: at(i * 30), text: `STOP-LOSS triggered for BTC/USD: down ${10 + i}.0% from entry $45000.00` }));
    const [message] = renderValid(events, { groupLabels: { type: 'risk.stop_loss', subject: 'trial250_session' } });
    const [embed] = message.embeds;
    expect(embed.title).toBe('⚠️ 5 stop-losses in 2 min on trial250');
    const lines = embed.description!.split('\n').filter((line) => line.startsWith('• '));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(`• <t:${START / 1000}:T> STOP-LOSS triggered for BTC/USD: down 10.0% from entry $45000.00`);
    expect(embed.color).toBe(0xffaa00);
  });

  it('a long list ends with "… and N more" that, with the lines shown, accounts for every event', () => {
    const events = Array.from({ length: 500 }, (_, i) => event('watchdog.alert', { message: `Restart failed ${i}` }, { severity: 'error', at: at(i), subject: 'watchdog' }));
    const [message] = renderValid(events);
    const [embed] = message.embeds;
    expect(embed.title).toMatch(/^❌ 500 watchdog alerts in 8 min 19 s on watchdog$/);
    const lines = embed.description!.split('\n');
    const shown = lines.filter((line) => line.startsWith('• ')).length;
    expect(lines.at(-1)).toBe(`… and ${500 - shown} more`);
  });

  it('errors: distinct exception lines with counts, the latest traceback, fatal count', () => {
    const traceback = (n: number) => `Traceback (most recent call last):\n  File "x.py", line ${n}, in run\nKeyError: 'close'`;
    const events = [
      event('trader.error', { exception: "KeyError: 'close'", fatal: false, context: 'processing_bars' }, { severity: 'error', text: traceback(1) }),
      event('trader.error', { exception: 'HTTPError: 503', fatal: false, context: 'fetch' }, { severity: 'warning', text: 'Error fetching BTC/USD: HTTPError: 503' }),
      event('trader.error', { exception: "KeyError: 'close'", fatal: true, context: 'processing_bars' }, { severity: 'critical', text: traceback(2) }),
    ];
    const [message] = renderValid(events);
    const [embed] = message.embeds;
    expect(embed.title).toBe('🚨 3 errors on trial250');
    expect(embed.description).toContain("**×2** KeyError: 'close'");
    expect(embed.description).toContain('**×1** HTTPError: 503');
    expect(embed.description).toContain('```py\nTraceback (most recent call last):\n  File "x.py", line 2, in run');
    expect(fieldMap(embed)).toMatchObject({ '🚨 Fatal': '1' });
  });
});

describe('grouped training', () => {
  it('"8 trials completed on <study>, best 1.93 (#250)" with counts and the best params', () => {
    const values = [1.2, 1.5, 1.93, 0.8, 1.1, 1.7, 1.0, 1.4];
    const events = values.map((value, i) => event('training.trial_completed', { study: 'cappuccino_5m', number: 248 + i, value, duration_s: 600 + i, params: { gamma: 0.9 + i / 100 } }, { at: at(i * 600), source: 'optuna', subject: 'cappuccino_5m' }));
    const [message] = renderValid(events, { groupLabels: { type: 'training.trial_completed' } });
    const [embed] = message.embeds;
    expect(embed.title).toBe('🧠 8 trials completed on cappuccino\\_5m in 1 h 10 min, best 1.93 (#250)');
    expect(fieldMap(embed)).toMatchObject({ '✅ Completed': '8', '✂️ Pruned': '0', '💥 Failed': '0', '🏆 Best in this batch': '1.93 (#250)', 'Best params': '```\ngamma=0.92\n```' });
    expect(embed.description).toMatch(/Trial\s+State\s+Value\s+Duration/);
  });

  it('completed, pruned and failed trials together are one section with per-state counts', () => {
    const events = [
      event('training.trial_completed', { study: 's', number: 1, value: 0.5 }),
      event('training.trial_pruned', { study: 's', number: 2 }),
      event('training.trial_failed', { study: 's', number: 3 }, { severity: 'warning' }),
      event('training.trial_completed', { study: 's', number: 4, value: 0.7 }),
    ];
    const [message] = renderValid(events);
    expect(message.embeds).toHaveLength(1);
    expect(message.embeds[0].title).toBe('🧠 4 trials finished (2 completed, 1 pruned, 1 failed) on s, best 0.7 (#4)');
  });

  it('several best improvements: the progression, the latest value in the title', () => {
    const events = [1.5, 1.7, 1.93].map((value, i) => event('training.best_improved', { study: 's', number: 100 + i, value, previous: i === 0 ? 1.4 : [1.5, 1.7][i - 1] }, { at: at(i * 60) }));
    const [message] = renderValid(events);
    const [embed] = message.embeds;
    expect(embed.title).toBe('🏆 Best improved 3 times on s in 2 min: 1.93 (#102)');
    expect(embed.description).toContain('**#100** 1.5 (was 1.4)');
    expect(fieldMap(embed)).toMatchObject({ Now: '1.93', 'Before these': '1.4' });
  });
});

describe('mixed groups', () => {
  it('a group of several kinds makes one section per kind, single events in their single form', () => {
    const events = [...trades(3), event('position.closed', { symbol: 'BTC/USD', entry: 1, exit: 2, pnl_pct: 100 }), ...trades(2)];
    const [message] = renderValid(events);
    expect(message.embeds.map((e) => e.title)).toEqual([expect.stringMatching(/^🔁 5 trades/), '✅ Closed BTC/USD +100.00%']);
  });

  it('snapshots of one trader: only the latest is shown, saying how many there were', () => {
    const events = [400, 450, 499.61].map((total, i) => event('portfolio.snapshot', { trader: 'trial250_session', cash: total, total, holdings: {} }, { at: at(i * 3600), severity: 'debug' }));
    const [message] = renderValid(events);
    const [embed] = message.embeds;
    expect(embed.description).toMatch(/^Latest of 3 snapshots\./);
    expect(fieldMap(embed)['💰 Total Value']).toBe('$499.61');
    expect(fieldMap(embed)['💼 Positions']).toBe('100% cash (no open positions)');
  });

  it('more kinds than sections: the rest share one list that counts them all', () => {
    const types = Array.from({ length: 20 }, (_, i) => `custom.kind_${i}`);
    const events = types.flatMap((type) => [event(type, { n: 1 }, { text: `${type} line` }), event(type, { n: 2 }, { text: `${type} again` })]);
    const messages = renderValid(events);
    const embeds: DiscordEmbed[] = messages.flatMap((m) => m.embeds);
    expect(embeds).toHaveLength(6);
    const other = embeds[5];
    expect(other.title).toBe('📋 30 more events of 15 other kinds');
    const byType = fieldMap(other)['By type'];
    expect(byType.split('\n').length).toBeGreaterThan(10);
    expect(embeds.slice(0, 5).every((e) => /^ℹ️ 2 events of type custom\.kind\\_\d+ on trial250$/.test(e.title!))).toBe(true);
  });
});
