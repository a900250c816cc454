import fc from 'fast-check';
import { renderBacklogDigest, type HeldBackMessage } from '../../src/discord/backlogDigest';
import { SUPPRESS_NOTIFICATIONS, type DiscordMessage } from '../../src/discord/DiscordMessage';
import { discordLimitProblems } from './discordLimitProblems';

const T0 = Date.parse('2026-02-09T07:00:00.000Z');
const held = (message: Partial<DiscordMessage>, at = T0): HeldBackMessage => ({ message: { embeds: [], allowed_mentions: { parse: [] }, ...message }, at });

describe('renderBacklogDigest', () => {
  it('lists every message with its time and title (or first line of content), oldest first', () => {
    const digest = renderBacklogDigest([
      held({ embeds: [{ title: '📈 BUY BTC/USD', timestamp: '2026-02-09T06:59:00.000Z' }] }),
      held({ content: '\n  trader stale\nsince 07:00' }, T0 + 60_000),
      held({ embeds: [{ description: 'only a description' }] }, T0 + 120_000),
      held({ embeds: [] }, T0 + 180_000),
    ]);
    expect(digest.count).toBe(4);
    expect(digest.message.embeds).toHaveLength(1);
    expect(digest.message.embeds[0]!.title).toBe('4 notifications held back while Discord was unreachable');
    expect(digest.message.embeds[0]!.description!.split('\n')).toEqual([
      `• <t:${(T0 - 60_000) / 1000}:f> 📈 BUY BTC/USD`,
      `• <t:${(T0 + 60_000) / 1000}:f> trader stale`,
      `• <t:${(T0 + 120_000) / 1000}:f> only a description`,
      `• <t:${(T0 + 180_000) / 1000}:f> (message without text)`,
    ]);
    expect(digest.message.allowed_mentions).toEqual({ parse: [] });
    expect(digest.message.flags).toBeUndefined();
  });

  it('is silent only when every held-back message was', () => {
    const silent = held({ embeds: [{ title: 's' }], flags: SUPPRESS_NOTIFICATIONS });
    expect(renderBacklogDigest([silent, silent]).message.flags).toBe(SUPPRESS_NOTIFICATIONS);
    expect(renderBacklogDigest([silent, held({ embeds: [{ title: 'loud' }] })]).message.flags).toBeUndefined();
  });

  it('always fits Discord’s limits, takes at least one message, and lists exactly those it counts (hostile strings)', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.string({ unit: 'grapheme', maxLength: 400 }),
      fc.constantFrom('@everyone', '**bold** _x_ `code`', '', '   ', '\n\n', '😀'.repeat(300), 'x'.repeat(10_000)),
    );
    const message = fc.record({ title: fc.option(text), content: fc.option(text), description: fc.option(text) }).map(
      ({ title, content, description }): Partial<DiscordMessage> => ({
        ...(content !== null ? { content } : {}),
        embeds: title !== null || description !== null ? [{ ...(title !== null ? { title } : {}), ...(description !== null ? { description } : {}) }] : [],
      }),
    );
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 120 }), (messages) => {
        const digest = renderBacklogDigest(messages.map((m, i) => held(m, T0 + i * 1000)));
        const lines = digest.message.embeds.flatMap((e) => e.description!.split('\n'));
        expect(discordLimitProblems(digest.message)).toEqual([]);
        expect(digest.count).toBeGreaterThanOrEqual(1);
        expect(lines).toHaveLength(digest.count);
        lines.forEach((line, i) => expect(line.startsWith(`• <t:${(T0 + i * 1000) / 1000}:f> `)).toBe(true));
        expect(digest.message.embeds[0]!.title).toMatch(new RegExp(`^${digest.count} notifications? held back`));
        // Up to 60 short messages always fit in one digest.
        if (messages.every((m) => JSON.stringify(m).length < 40) && messages.length <= 60) expect(digest.count).toBe(messages.length);
      }),
      { numRuns: 200 },
    );
  });
});
