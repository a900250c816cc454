import { SUPPRESS_NOTIFICATIONS } from '../../src/discord/DiscordMessage';
import { ConsoleSink } from '../../src/discord/sinks/ConsoleSink';

describe('ConsoleSink', () => {
  it('prints a readable text form of the message to its stream and reports it sent', async () => {
    const written: string[] = [];
    const sink = new ConsoleSink({ stream: { write: (text: string) => written.push(text) } });
    expect(sink.key).toBe('console');
    const outcome = await sink.send(
      {
        content: 'Trade at <t:1770620400:f>',
        embeds: [
          {
            title: '📈 BUY BTC/USD',
            description: 'Bought on trial 250\nsecond line',
            fields: [
              { name: 'Quantity', value: '0.5', inline: true },
              { name: 'Price', value: '$97,000.00', inline: true },
            ],
            footer: { text: 'paper trader' },
            timestamp: '2026-02-09T07:00:00.000Z',
          },
        ],
        flags: SUPPRESS_NOTIFICATIONS,
        allowed_mentions: { parse: [] },
      },
      { nonce: 'n' },
    );
    expect(outcome).toEqual({ status: 'sent' });
    const text = written.join('');
    // The renderers' text preview: title, description, fields, footer and readable times.
    for (const part of ['(silent)', 'Trade at 2026-02-09 07:00', '📈 BUY BTC/USD', 'Bought on trial 250', 'second line', 'Quantity: 0.5', 'Price: $97,000.00', 'paper trader']) expect(text).toContain(part);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('uses an injected formatter, and turns a failing stream into a retry', async () => {
    const lines: string[] = [];
    const sink = new ConsoleSink({ stream: { write: (text: string) => lines.push(text) }, format: (m) => `preview of ${m.embeds.length} embed(s)` });
    await sink.send({ embeds: [{ title: 't' }], allowed_mentions: { parse: [] } }, { nonce: 'n' });
    expect(lines).toEqual(['preview of 1 embed(s)\n']);
    const broken = new ConsoleSink({
      stream: {
        write: () => {
          throw new Error('EPIPE');
        },
      },
    });
    expect(await broken.send({ embeds: [], allowed_mentions: { parse: [] } }, { nonce: 'n' })).toEqual({ status: 'retry', error: 'console write failed: EPIPE' });
  });
});
