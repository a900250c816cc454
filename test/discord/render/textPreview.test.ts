import { portfolioAnswerFromSnapshot, renderNotification, renderPortfolioSummary, renderTextPreview } from '../../../src/discord/render';
import type { PortfolioAnswer } from '../../../src/readModel/answers';
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
  const answer = (trader: string, overrides: Partial<PortfolioAnswer['totals']> = {}, positions: PortfolioAnswer['positions'] = []): PortfolioAnswer => ({
    kind: 'portfolio',
    now: Date.parse(AT),
    totals: { trader, at: Date.parse(AT), total: 520, cash: 100, invested: 420, pnlSinceStart: { amount: 20, percent: 4, since: Date.parse('2026-01-01T00:00:00Z') }, pnl24h: { amount: 10, percent: 1.96 }, ...overrides },
    positions,
    otherTraders: [],
  });

  it('one embed per trader: totals, return since start, 24 h change, positions with entry and P&L', () => {
    const messages = renderPortfolioSummary(
      [
        answer('trial250_session', {}, [
          { symbol: 'ETH/USD', quantity: 0.08, price: 2500, value: 200, sharePercent: 38.46, entryPrice: null, unrealisedPnl: null },
          { symbol: 'BTC/USD', quantity: 0.005, price: 44000, value: 220, sharePercent: 42.31, entryPrice: 42000, unrealisedPnl: { amount: 10, percent: 4.76 } },
        ]),
        answer('trial100', { pnl24h: { amount: -3, percent: -0.6 } }),
      ],
      { note: 'Daily digest', silent: true },
    );
    expect(messages).toHaveLength(1);
    expect(discordRuleViolations(messages[0])).toEqual([]);
    expect(messages[0].flags).toBe(1 << 12);
    const [embed, second] = messages[0].embeds;
    expect(embed.title).toBe('💼 Portfolio Summary · trial250');
    expect(embed.description).toContain('Daily digest');
    expect(embed.color).toBe(0x2ecc71);
    const fields = Object.fromEntries(embed.fields!.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ '💰 Total Value': '$520.00', '💵 Cash': '$100.00 (19.2%)', '📦 Invested': '$420.00', '🔄 24 h': '🟢 +$10.00 (+1.96%)', '📈 Unrealised': '🟢 +$10.00' });
    expect(fields['📊 Since start']).toMatch(/^🟢 \+\$20\.00 \(\+4\.00%\) since <t:\d+:d>$/);
    const table = fields['💼 Positions'];
    expect(table).toMatch(/Symbol\s+Qty\s+Price\s+Value\s+%\s+Entry\s+P&L/);
    // Biggest first.
    expect(table).toMatch(/BTC\/USD\s+0\.005\s+\$44,000\.00\s+\$220\.00\s+42\.3\s+\$42,000\.00\s+\+4\.76%\n.*ETH\/USD\s+0\.08\s+\$2,500\.00\s+\$200\.00\s+38\.5\s+—\s+—/);
    expect(second.title).toBe('💼 Portfolio Summary · trial100');
    expect(second.color).toBe(0xe74c3c);
    expect(Object.fromEntries(second.fields!.map((f) => [f.name, f.value]))['💼 Positions']).toBe('100% cash (no open positions)');
  });

  it('a long holdings list is cut with "… and N more" inside its field', () => {
    const positions = Array.from({ length: 80 }, (_, i) => ({ symbol: `COIN${i}/USD`, quantity: i + 1, price: null, value: null, sharePercent: null, entryPrice: null, unrealisedPnl: null }));
    const [message] = renderPortfolioSummary([answer('t', {}, positions)]);
    expect(discordRuleViolations(message)).toEqual([]);
    const table = message.embeds[0].fields!.find((f) => f.name === '💼 Positions')!.value;
    const shown = table.split('\n').filter((line) => /^COIN/.test(line)).length;
    expect(table).toContain(`… and ${80 - shown} more`);
  });

  it('the cached CSV snapshot maps to the same answer (positions valued at the bar, dust dropped)', () => {
    const answer = portfolioAnswerFromSnapshot('trial250_session', { at: AT, cash: 100, total: 520, holdings: { 'BTC/USD': 0.005, 'ETH/USD': 1e-9 }, prices: { 'BTC/USD': 44000 } }, 1);
    expect(answer.totals).toMatchObject({ trader: 'trial250_session', at: Date.parse(AT), total: 520, cash: 100, invested: 420 });
    expect(answer.positions).toEqual([{ symbol: 'BTC/USD', quantity: 0.005, price: 44000, value: 220, sharePercent: (220 / 520) * 100, entryPrice: null, unrealisedPnl: null }]);
  });
});
