import { codeText, escapeMarkdown, isBlank, markdownText, neutralizeMentions, sanitizeText, ZERO_WIDTH_SPACE } from '../../../src/discord/render/sanitizeText';
import { clearRegisteredSecrets, registerSecret } from '../../../src/logging/redactSecrets';

// Same shapes as Discord's credentials, not real ones.
const WEBHOOK = 'https://discord.com/api/webhooks/1098765432109876543/Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';

describe('sanitizeText', () => {
  afterEach(clearRegisteredSecrets);

  it('neutralises @everyone, @here, user and role mentions with a zero-width space, idempotently', () => {
    const text = 'hey @everyone and @HERE, <@123456789012345678> <@!42> <@&987> but not <#123> or a@b.c';
    const once = neutralizeMentions(text);
    expect(once).toBe(
      `hey @${ZERO_WIDTH_SPACE}everyone and @${ZERO_WIDTH_SPACE}HERE, <@${ZERO_WIDTH_SPACE}123456789012345678> <@${ZERO_WIDTH_SPACE}!42> <@${ZERO_WIDTH_SPACE}&987> but not <#123> or a@b.c`,
    );
    expect(neutralizeMentions(once)).toBe(once);
    // Looks the same once the invisible character is removed.
    expect(once.split(ZERO_WIDTH_SPACE).join('')).toBe(text);
  });

  it('redacts a webhook token before markdown escaping could hide it from the pattern', () => {
    const out = markdownText(`Discord notification failed: 400 for url: ${WEBHOOK}`);
    expect(out).not.toContain('Zx9');
    expect(out).toContain('REDACTED');
  });

  it('redacts registered secrets', () => {
    registerSecret('my-very-secret-token');
    expect(sanitizeText('token=my-very-secret-token')).toBe('token=[REDACTED]');
  });

  it('drops control characters, folds CR into LF, replaces lone surrogates', () => {
    expect(sanitizeText('a\u0000b\u0007c\r\nd\re\tf\u001b[31m')).toBe('abc\nd\ne\tf[31m');
    expect(sanitizeText('x\uD800y\uDC00z😀')).toBe('x\uFFFDy\uFFFDz😀');
  });
});

describe('escapeMarkdown', () => {
  it('escapes inline markdown so it shows as written', () => {
    expect(escapeMarkdown('**bold** _it_ __u__ ~~s~~ ||spoiler|| `code` [link](http://x) \\')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\` \\[link\\](http://x) \\\\',
    );
  });

  it('escapes line starts that would make headings, quotes and lists, and nothing else', () => {
    expect(escapeMarkdown('# h\n## h2\n-# sub\n> quote\n>>> all\n- item\n+ item\n1. one\n-5.00 stays\n#hashtag stays')).toBe(
      '\\# h\n\\## h2\n\\-# sub\n\\> quote\n\\>>> all\n\\- item\n\\+ item\n1\\. one\n-5.00 stays\n#hashtag stays',
    );
  });

  it('cannot produce a code fence from user backticks', () => {
    expect(markdownText('```js\nx\n```')).not.toContain('```');
  });
});

describe('codeText', () => {
  it('breaks backtick runs so text inside a code block cannot close it', () => {
    const out = codeText('before ``` after ```` end');
    expect(out).not.toContain('``');
    expect(out.split(ZERO_WIDTH_SPACE).join('')).toBe('before ``` after ```` end');
  });
});

describe('isBlank', () => {
  it.each([[''], ['   '], ['\n\t'], ['\u200b'], ['\u3164'], ['\u2800']])('%j is blank', (text) => expect(isBlank(text)).toBe(true));
  it.each([['—'], ['a'], [' . ']])('%j is not blank', (text) => expect(isBlank(text)).toBe(false));
});
