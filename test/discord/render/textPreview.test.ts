import { renderNotification, renderPortfolioSummary, renderSystemStatus, renderTextPreview } from '../../../src/discord/render';
import { fitToDiscordLimits } from '../../../src/discord/render/discordLimits';
import { discordRuleViolations } from './discordRules';
import { AT, event, notification } from './support';

const NOW = Date.parse(AT) + 8 * 60_000;

describe('renderTextPreview', () => {
  it('shows a single event as readable text: title, lead with written-out times, inline fields side by side, footer', () => {
    const messages = renderNotification(notification([event('trade.executed', { trader: 'trial250_session', symbol: 'BTC/USD', side: 'BUY', qty: 0.012345, price: 43210.5, value: 533.43 })]));
    expect(renderTextPreview(messages, { now: NOW })).toBe(
      [
        '┃ 📈 BUY BTC/USD',
        '┃ trial250 bought 0.012345 BTC/USD at $43,210.50',
        '┃ 2026-02-05 16:52 UTC (8 min ago)',
        '┃ Quantity: 0.012345 │ Price: $43,210.50 │ Total: $533.43',
        '┃ ── trial250_session · sessions · 2026-02-05 16:52:05 UTC',
      ].join('\n'),
    );
  });

  it('undoes markdown escapes and zero-width spaces, indents code blocks, shows no fences', () => {
    const messages = renderNotification(
      notification([event('trader.error', { exception: 'KeyError: @everyone_x', context: 'processing_bars' }, { severity: 'error', text: 'Traceback (most recent call last):\n  File "a_b.py", line 1, in run\nKeyError: @everyone_x' })]),
    );
    const preview = renderTextPreview(messages, { now: Date.parse(AT) - 3 * 3600_000 });
    expect(preview).toContain('┃ ❌ KeyError: @everyone_x');
    expect(preview).toContain('┃   Traceback (most recent call last):');
    expect(preview).toContain('┃     File "a_b.py", line 1, in run');
    expect(preview).not.toContain('```');
    expect(preview).not.toContain('\\');
    expect(preview).not.toContain('\u200b');
    expect(preview).toContain('2026-02-05 16:52 UTC (in 3 h)');
  });

  it('numbers messages when there are several and marks silent ones', () => {
    const messages = fitToDiscordLimits({ embeds: Array.from({ length: 11 }, (_, i) => ({ title: `embed ${i}` })), flags: 1 << 12 });
    const preview = renderTextPreview(messages);
    expect(preview.split('\n').filter((line) => line.startsWith('── message'))).toEqual(['── message 1 of 2 (silent) ──', '── message 2 of 2 (silent) ──']);
    expect(preview).toContain('┃ embed 10');
  });
});

describe('renderPortfolioSummary (scheduled digests)', () => {
  it('totals, return since start, change since the last digest, positions with entry and P&L', () => {
    const messages = renderPortfolioSummary(
      'trial250_session',
      { cash: 100, total: 520, holdings: { 'BTC/USD': 0.005, 'ETH/USD': 0.08 }, prices: { 'BTC/USD': 44000, 'ETH/USD': 2500 }, at: AT },
      { initialValue: 500, previousTotal: 510, previousLabel: '24h', positions: [{ symbol: 'BTC/USD', entry_price: 42000, pnl_pct: 4.76 }], note: 'Daily digest', silent: true, source: 'sessions' },
    );
    expect(messages).toHaveLength(1);
    expect(discordRuleViolations(messages[0])).toEqual([]);
    expect(messages[0].flags).toBe(1 << 12);
    const [embed] = messages[0].embeds;
    expect(embed.title).toBe('💼 Portfolio Summary · trial250');
    expect(embed.description).toContain('Daily digest');
    expect(embed.color).toBe(0x2ecc71);
    const fields = Object.fromEntries(embed.fields!.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ '💰 Total Value': '$520.00', '💵 Cash': '$100.00 (19.2%)', '📦 Invested': '$420.00', '📊 Return': '+4.00% since start ($500.00)', '🔄 Change (24h)': '+$10.00 (+1.96%)' });
    const table = fields['💼 Positions'];
    expect(table).toMatch(/Symbol\s+Qty\s+Price\s+Value\s+%\s+Entry\s+P&L/);
    expect(table).toMatch(/BTC\/USD\s+0\.005\s+\$44,000\.00\s+\$220\.00\s+42\.3\s+\$42,000\.00\s+\+4\.76%/);
    expect(table).toMatch(/ETH\/USD\s+0\.08\s+\$2,500\.00\s+\$200\.00\s+38\.5\s+—\s+—/);
    expect(embed.footer?.text).toBe('trial250_session · sessions');
  });

  it('a long holdings list is cut with "… and N more" inside its field', () => {
    const holdings = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`COIN${i}/USD`, i + 1]));
    const [message] = renderPortfolioSummary('t', { cash: 1, total: 100, holdings, prices: {} });
    expect(discordRuleViolations(message)).toEqual([]);
    const table = message.embeds[0].fields!.find((f) => f.name === '💼 Positions')!.value;
    const shown = table.split('\n').filter((line) => /^COIN/.test(line)).length;
    expect(table).toContain(`… and ${80 - shown} more`);
  });
});

describe('renderSystemStatus', () => {
  it('green when a trader runs and all workers are up; lists every trader', () => {
    const [message] = renderSystemStatus({ traders: [{ name: 'a', running: true, pid: 1 }, { name: 'b', state: 'stopped', pid: 2 }], training: { workers: 3, expected: 3, rss_mb: 12288 }, gpu: { utilization_pct: 99, temperature_c: 57 }, at: AT });
    expect(discordRuleViolations(message)).toEqual([]);
    const [embed] = message.embeds;
    expect(embed.color).toBe(0x2ecc71);
    const fields = Object.fromEntries(embed.fields!.map((f) => [f.name, f.value]));
    expect(fields['📈 Paper Trader']).toBe('🟢 **a** running · pid 1\n⏸️ **b** stopped · pid 2');
    expect(fields['🧠 Training']).toBe('🟢 3/3 workers · 12 GB');
    expect(fields['🎮 GPU']).toBe('99% busy · 57 °C');
  });

  it('no trader: red dot and the warning colour', () => {
    const [message] = renderSystemStatus({});
    expect(message.embeds[0].fields![0]).toEqual({ name: '📈 Paper Trader', value: '🔴 not running', inline: false });
    expect(message.embeds[0].color).toBe(0xffaa00);
  });
});
