import { createLogger } from '../../src/logging/logger';
import { clearRegisteredSecrets, redactSecrets, registerSecret } from '../../src/logging/redactSecrets';

// Real-looking, not real: same shapes as Discord's credentials.
const TOKEN = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhX1a2.abcdefghijklmnopqrstuvwxyz0123456789AB';
const WEBHOOK = 'https://discord.com/api/webhooks/1098765432109876543/Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';

describe('redactSecrets', () => {
  afterEach(clearRegisteredSecrets);

  it('removes webhook tokens on any host, bot tokens and auth headers, keeping the rest', () => {
    const line = `Failed to send Discord notification: 400 Client Error for url: ${WEBHOOK} (token ${TOKEN}; Authorization: Bot ${TOKEN.slice(0, 30)})`;
    const out = redactSecrets(line);
    expect(out).not.toContain('Zx9_yW8');
    expect(out).not.toContain(TOKEN);
    expect(out).toContain('https://discord.com/api/webhooks/1098765432109876543/[REDACTED]');
    expect(out).toContain('Failed to send Discord notification: 400 Client Error');
    expect(redactSecrets('http://127.0.0.1:8080/api/v10/webhooks/12345678/abcdefghijklmnopqrstuvwxyz')).toBe('http://127.0.0.1:8080/api/v10/webhooks/12345678/[REDACTED]');
  });

  it('removes registered secrets of any shape', () => {
    registerSecret('hunter2-but-longer');
    expect(redactSecrets('password is hunter2-but-longer!')).toBe('password is [REDACTED]!');
  });

  it('finds a bot token wherever it sits, also among numbers and at the very start', () => {
    const shortest = `${'A'.repeat(23)}.GhX1a2.${'b'.repeat(27)}`;
    expect(redactSecrets(`${TOKEN} cash=1.5 total=2.5`)).toBe('[REDACTED] cash=1.5 total=2.5');
    expect(redactSecrets(`cash=351.27 total=499.61 token=${shortest}.`)).toBe('cash=351.27 total=499.61 token=[REDACTED].');
  });

  it('leaves ordinary trader lines alone', () => {
    const line = '[2026-02-09T07:00:00+00:00] cash=351.27 total=499.61 reward=-0.000781 actions=[0.0, 0.4521]';
    expect(redactSecrets(line)).toBe(line);
  });
});

describe('createLogger', () => {
  it('redacts secrets from messages, nested fields and error stacks', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => lines.push(line) }, format: 'json' });
    logger.info({ config: { webhook: WEBHOOK, nested: [TOKEN] } }, `posting to ${WEBHOOK}`);
    logger.error({ err: new Error(`request to ${WEBHOOK} failed with token ${TOKEN}`) }, 'send failed');
    expect(lines).toHaveLength(2);
    const all = lines.join('');
    expect(all).not.toContain('Zx9_yW8');
    expect(all).not.toContain(TOKEN);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first.msg).toBe('posting to https://discord.com/api/webhooks/1098765432109876543/[REDACTED]');
    expect(JSON.stringify(second.err)).toContain('[REDACTED]');
  });

  it('redacts a bot token glued to other token characters (a fast-check find: `type=Bot_<token>`)', () => {
    const token = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhX1a2.abcdefghijklmnopqrstuvwxyz0123456789AB';
    expect(redactSecrets(`type=Bot_${token}`)).not.toContain(token);
    expect(redactSecrets(`x${token}y`)).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789AB');
  });
});
