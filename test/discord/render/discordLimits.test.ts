import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed } from '../../../src/discord/DiscordMessage';
import { codeBlock, cutText, DISCORD_LIMITS, fenceCount, fitEmbed, fitToDiscordLimits, PLACEHOLDER } from '../../../src/discord/render/discordLimits';
import { codeText } from '../../../src/discord/render/sanitizeText';
import { discordRuleViolations, embedCharacters } from './discordRules';

const x = (n: number) => 'x'.repeat(n);
const fit = (embed: DiscordEmbed) => fitToDiscordLimits({ embeds: [embed] });
const only = (embed: DiscordEmbed) => {
  const messages = fit(embed);
  expect(messages).toHaveLength(1);
  expect(messages[0].embeds).toHaveLength(1);
  return messages[0].embeds[0];
};

describe('Discord limits: each string at its boundary and past it', () => {
  const cases: [string, number, (text: string) => DiscordEmbed, (embed: DiscordEmbed) => string | undefined][] = [
    ['title', DISCORD_LIMITS.title, (t) => ({ title: t }), (e) => e.title],
    ['description', DISCORD_LIMITS.description, (t) => ({ description: t }), (e) => e.description],
    ['field name', DISCORD_LIMITS.fieldName, (t) => ({ fields: [{ name: t, value: 'v' }] }), (e) => e.fields?.[0].name],
    ['field value', DISCORD_LIMITS.fieldValue, (t) => ({ fields: [{ name: 'n', value: t }] }), (e) => e.fields?.[0].value],
    ['footer', DISCORD_LIMITS.footer, (t) => ({ title: 't', footer: { text: t } }), (e) => e.footer?.text],
    ['author', DISCORD_LIMITS.author, (t) => ({ title: 't', author: { name: t } }), (e) => e.author?.name],
  ];
  it.each(cases)('%s: %d characters are kept whole, one more is cut to the limit with "…"', (_name, limit, build, read) => {
    expect(read(only(build(x(limit))))).toBe(x(limit));
    const cut = read(only(build(x(limit + 1))));
    expect(cut).toHaveLength(limit);
    expect(cut).toBe(`${x(limit - 1)}…`);
  });

  it('content: 2000 kept, 2001 cut to 2000', () => {
    expect(fitToDiscordLimits({ content: x(2000), embeds: [] })[0].content).toBe(x(2000));
    const cut = fitToDiscordLimits({ content: x(2001), embeds: [] })[0].content!;
    expect(cut).toHaveLength(2000);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('Discord limits: counts', () => {
  const fields = (n: number, value = 'v') => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, value }));

  it('25 fields stay in one embed; the 26th goes to a continuation embed, footer and timestamp on the last', () => {
    expect(only({ title: 'T', fields: fields(25) }).fields).toHaveLength(25);
    const [message] = fit({ title: 'T', fields: fields(26), footer: { text: 'foot' }, timestamp: '2026-02-05T16:52:05.000Z', color: 0xff0000 });
    expect(message.embeds).toHaveLength(2);
    expect(message.embeds[0].fields).toHaveLength(25);
    expect(message.embeds[1]).toMatchObject({ title: 'T (continued)', color: 0xff0000, fields: [{ name: 'f25', value: 'v' }], footer: { text: 'foot' }, timestamp: '2026-02-05T16:52:05.000Z' });
    expect(message.embeds[0].footer).toBeUndefined();
  });

  it('6000 characters in one embed fit; one more moves a field to a continuation embed', () => {
    // title 1 + 5 fields of (2 + 1198) = 6001 → make it exactly 6000 with a 1199-char last value
    const exact: DiscordEmbed = { title: 'T', fields: [...Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, value: x(998) })), { name: 'f4', value: x(999) }] };
    expect(embedCharacters({ embeds: [exact] })).toBe(1 + 4 * 1000 + 1001);
    const exactly6000: DiscordEmbed = { ...exact, description: x(6000 - 5002) };
    expect(fit(exactly6000)).toHaveLength(1);
    expect(fit(exactly6000)[0].embeds).toHaveLength(1);
    const over = fit({ ...exact, description: x(6001 - 5002) });
    const all = over.flatMap((m) => m.embeds);
    expect(all).toHaveLength(2);
    expect(all.flatMap((e) => e.fields ?? []).map((f) => f.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    for (const message of over) expect(embedCharacters(message)).toBeLessThanOrEqual(6000);
  });

  it('a description, footer and title over 6000 together: the description is cut so the embed fits', () => {
    const embed = only({ title: x(256), description: x(4096), footer: { text: x(2048) } });
    expect(embedCharacters({ embeds: [embed] })).toBe(6000);
    expect(embed.footer?.text).toHaveLength(2048);
    expect(embed.description?.endsWith('…')).toBe(true);
  });

  it('10 embeds make one message; an 11th starts a second message', () => {
    const embeds = (n: number) => Array.from({ length: n }, (_, i) => ({ title: `e${i}` }));
    expect(fitToDiscordLimits({ embeds: embeds(10) })).toHaveLength(1);
    const two = fitToDiscordLimits({ embeds: embeds(11), content: 'hello' });
    expect(two.map((m) => m.embeds.length)).toEqual([10, 1]);
    expect(two[0].content).toBe('hello');
    expect(two[1].content).toBeUndefined();
  });

  it('6000 characters across embeds share a message; 6001 split into two messages in order', () => {
    expect(fitToDiscordLimits({ embeds: [{ description: x(3000) }, { description: x(3000) }] })).toHaveLength(1);
    const split = fitToDiscordLimits({ embeds: [{ description: x(3000) }, { description: x(3001) }] });
    expect(split.map((m) => m.embeds[0].description?.length)).toEqual([3000, 3001]);
  });

  it('every message carries allowed_mentions { parse: [] } and only allowed flags', () => {
    const messages = fitToDiscordLimits({ embeds: Array.from({ length: 12 }, () => ({ title: 't' })), flags: SUPPRESS_NOTIFICATIONS | 1 });
    expect(messages).toHaveLength(2);
    for (const message of messages) {
      expect(message.allowed_mentions).toEqual({ parse: [] });
      expect(message.flags).toBe(SUPPRESS_NOTIFICATIONS);
    }
    expect(fitToDiscordLimits({ embeds: [{ title: 't' }] })[0].flags).toBeUndefined();
  });
});

describe('Discord limits: never empty, never invalid', () => {
  it('empty or whitespace-only field names and values become a placeholder', () => {
    const embed = only({ fields: [{ name: '', value: '   ' }, { name: '\u200b', value: '\n\t' }, { name: 'ok', value: undefined as unknown as string }] });
    expect(embed.fields).toEqual([
      { name: PLACEHOLDER, value: PLACEHOLDER },
      { name: PLACEHOLDER, value: PLACEHOLDER },
      { name: 'ok', value: PLACEHOLDER },
    ]);
  });

  it('a blank title or description is dropped; an embed with nothing left gets a placeholder description', () => {
    expect(only({ title: '  ', description: 'd' })).toEqual({ description: 'd' });
    expect(only({ title: ' ', description: '' })).toEqual({ description: PLACEHOLDER });
  });

  it('invalid colours, timestamps and URLs are left out', () => {
    const embed = only({ title: 't', color: 0x1000000, timestamp: 'yesterday', url: 'javascript:alert(1)' });
    expect(embed).toEqual({ title: 't' });
    expect(only({ title: 't', color: 0xffffff, timestamp: '2026-02-05T16:52:05Z', url: 'https://example.com/x' })).toEqual({ title: 't', color: 0xffffff, timestamp: '2026-02-05T16:52:05.000Z', url: 'https://example.com/x' });
  });

  it('nothing at all makes no message', () => {
    expect(fitToDiscordLimits({ embeds: [] })).toEqual([]);
  });
});

describe('cutText and codeBlock', () => {
  it('a cut inside a code block closes it', () => {
    const text = `intro\n\`\`\`\n${'line\n'.repeat(100)}\`\`\``;
    const cut = cutText(text, 100);
    expect(cut.length).toBeLessThanOrEqual(100);
    expect(fenceCount(cut) % 2).toBe(0);
    expect(cut.endsWith('…\n```')).toBe(true);
  });

  it('a cut in the middle of a fence does not leave stray backticks', () => {
    const text = `${x(97)}\`\`\`py\ncode\n\`\`\``;
    const cut = cutText(text, 100);
    expect(cut).toBe(`${x(97)}…`);
  });

  it('keeping the tail starts with "…" at a line start and keeps the end', () => {
    const traceback = `Traceback (most recent call last):\n${'  File "x.py", line 1, in f\n'.repeat(200)}ValueError: boom`;
    const cut = cutText(traceback, 300, 'tail');
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut.startsWith('…\n')).toBe(true);
    expect(cut.endsWith('ValueError: boom')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(10);
    for (let max = 2; max < 20; max++) {
      for (const keep of ['head', 'tail'] as const) {
        const cut = cutText(emoji, max, keep);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }
    }
  });

  it('codeBlock fits its budget, stays closed, and backticks inside cannot close it', () => {
    const block = codeBlock(codeText(`a \`\`\` b ${x(2000)}`), { maxLength: 500, language: 'py' });
    expect(block.length).toBeLessThanOrEqual(500);
    expect(block.startsWith('```py\n')).toBe(true);
    expect(block.endsWith('\n```')).toBe(true);
    expect(fenceCount(block)).toBe(2);
  });

  it('fitted messages pass the Discord rules', () => {
    const messages = fitToDiscordLimits({ content: `@everyone ${x(3000)}`, embeds: [{ title: x(300), description: `\`\`\`\n${x(5000)}`, fields: Array.from({ length: 60 }, () => ({ name: x(300), value: x(2000) })), footer: { text: x(3000) } }] });
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(discordRuleViolations(message)).toEqual([]);
  });

  it('fitEmbed keeps field order across continuation embeds', () => {
    const parts = fitEmbed({ title: 'T', fields: Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, value: 'v' })) });
    expect(parts.map((p) => p.fields?.length)).toEqual([25, 25, 10]);
    expect(parts.flatMap((p) => p.fields!.map((f) => f.name))).toEqual(Array.from({ length: 60 }, (_, i) => `f${i}`));
  });
});

describe('Discord limits: images and odd timestamps', () => {
  it('keeps an image from an uploaded file or https on the first part; drops any other URL', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    const parts = fitEmbed({ title: 'chart', image: { url: 'attachment://equity-trial250.png' }, fields });
    expect(parts).toHaveLength(2);
    expect(parts[0].image).toEqual({ url: 'attachment://equity-trial250.png' });
    expect(parts[1].image).toBeUndefined();
    expect(fitEmbed({ title: 't', image: { url: 'https://example.com/a.png' } })[0].image).toEqual({ url: 'https://example.com/a.png' });
    for (const url of ['attachment://../etc/passwd.png', 'attachment://a b.png', 'javascript:alert(1)', 'file:///etc/passwd', 'attachment://x.exe', '']) {
      expect(fitEmbed({ title: 't', image: { url } })[0].image).toBeUndefined();
    }
    for (const message of fitToDiscordLimits({ embeds: [{ image: { url: 'attachment://a.png' } }] })) expect(discordRuleViolations(message)).toEqual([]);
  });

  it('drops a timestamp outside years 0–9999 (its ±YYYYYY form is not ISO 8601)', () => {
    expect(fitEmbed({ title: 't', timestamp: new Date(-62167219200001).toISOString() })[0].timestamp).toBeUndefined();
    expect(fitEmbed({ title: 't', timestamp: '+275760-09-13T00:00:00.000Z' })[0].timestamp).toBeUndefined();
    expect(fitEmbed({ title: 't', timestamp: '2026-02-05T16:52:05Z' })[0].timestamp).toBe('2026-02-05T16:52:05.000Z');
  });
});
