/**
 * Secrets printed the ways a Python program prints them: whatever the encoding and whatever
 * text surrounds it, no registered secret and no Discord credential survives redaction.
 */
import fc from 'fast-check';
import { registerConfigSecrets, registerEnvSecrets } from '../../src/config/environment';
import { clearRegisteredSecrets, redactSecrets, registerSecret } from '../../src/logging/redactSecrets';
import { rulesFileSchema } from '../../src/config/schema';

const WEBHOOK_ID = '1098765432109876543';
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

const tokenChars = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: min, maxLength: max });
/** A Discord webhook token: 68 base64url characters (mixed case and a digit, as real ones are). */
const webhookToken = tokenChars(68, 68).map((t) => `aZ9${t.slice(3)}`);
const botToken = fc.tuple(tokenChars(24, 26), tokenChars(6, 6), tokenChars(38, 38)).map(([a, b, c]) => `M${a}.${b}.${c}`);

type Encoder = (text: string) => string;
/** How a Python program may print a value. */
const ENCODINGS: Record<string, Encoder> = {
  plain: (t) => t,
  repr: (t) => `'${t}'`,
  json: (t) => JSON.stringify(t).replace(/\//g, '\\/'),
  quote: (t) => encodeURIComponent(t).replace(/%2F/g, '/'),
  quote_plus: (t) => encodeURIComponent(t),
  quoteLower: (t) => encodeURIComponent(t).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  quoteTwice: (t) => encodeURIComponent(encodeURIComponent(t)),
  base64: (t) => Buffer.from(t).toString('base64'),
  base64url: (t) => Buffer.from(t).toString('base64url'),
  hex: (t) => Buffer.from(t).toString('hex'),
};
const encoding = fc.constantFrom(...Object.keys(ENCODINGS));
/** What surrounds the secret: a prefix inside the encoded text too (it shifts base64's alignment). */
const surroundings = fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }));

function leaks(out: string, secret: string): boolean {
  // Any 16-character piece of the secret left in clear, in whichever encoding, is a leak.
  for (const encode of Object.values(ENCODINGS)) {
    const form = encode(secret);
    for (let i = 0; i + 16 <= secret.length; i += 8) if (out.includes(secret.slice(i, i + 16))) return true;
    if (form.length >= 24 && out.includes(form.slice(4, -4))) return true;
  }
  return false;
}

describe('redactSecrets over encodings', () => {
  afterEach(clearRegisteredSecrets);

  it('a webhook URL barista never heard of, in any encoding, inside any text, keeps no token', () => {
    fc.assert(
      fc.property(webhookToken, encoding, surroundings, (token, name, [inner, before, after]) => {
        const url = `https://discord.com/api/webhooks/${WEBHOOK_ID}/${token}`;
        const out = redactSecrets(`${before}${ENCODINGS[name]!(`${inner}${url}`)}${after}`);
        return !leaks(out, token);
      }),
      { numRuns: 400 },
    );
  });

  it('a bot token or bare webhook token barista never heard of, in any encoding, keeps no token', () => {
    fc.assert(
      fc.property(fc.oneof(botToken, webhookToken), encoding, surroundings, (token, name, [inner, before, after]) => {
        const out = redactSecrets(`${before} ${ENCODINGS[name]!(`${inner} ${token} `)} ${after}`);
        return !leaks(out, token);
      }),
      { numRuns: 400 },
    );
  });

  it('a registered secret of any shape, in any encoding, whole or cut, never survives', () => {
    const secret = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABC0123456789!@#$%^&*()/:?=+ '), minLength: 20, maxLength: 60 }).filter((s) => s.trim() === s);
    fc.assert(
      fc.property(secret, encoding, surroundings, fc.nat(), (value, name, [inner, before, after], cut) => {
        clearRegisteredSecrets();
        registerSecret(value);
        const whole = redactSecrets(`${before}${ENCODINGS[name]!(`${inner}${value}`)}${after}`);
        // Split across two messages (wrapped or chunked): each half is redacted on its own.
        const at = 16 + (cut % (value.length - 15));
        const halves = [value.slice(0, at), value.slice(at)].map((half) => redactSecrets(`${before}${half}${after}`));
        return !whole.includes(value) && !leaks(whole, value) && halves.every((half) => !leaks(half, value));
      }),
      { numRuns: 400 },
    );
  });

  it('leaves ordinary lines, hashes, paths and numbers alone', () => {
    registerSecret(`https://discord.com/api/webhooks/${WEBHOOK_ID}/aZ9${'x'.repeat(65)}`);
    for (const line of [
      '[2026-02-09T07:00:00+00:00] cash=351.27 total=499.61 reward=-0.000781 actions=[0.0, 0.4521]',
      'commit 3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed7e6dc88 deployed',
      'loading /home/trader/cappuccino/train_results/cwd_tests/trial_250_1h/actor.pth',
      'see https://discord.com/channels/123/456 for details',
    ]) {
      expect(redactSecrets(line)).toBe(line);
    }
  });

  it('registers what barista was configured with: secret-named variables, webhook tokens alone, URL passwords', () => {
    registerEnvSecrets({ ALPACA_SECRET_KEY: 'alpacaSecretValue123', DISCORD_WEBHOOK_URL: `https://discord.com/api/webhooks/${WEBHOOK_ID}/TokenOnlyValue_0123456789`, PATH: '/usr/bin:/bin' });
    const rules = rulesFileSchema.parse({
      workspace: '/tmp/ws',
      sources: [{ id: 'study', type: 'optuna', storage: 'postgresql://optuna:dbPassw0rdValue@db.local/optuna' }],
    });
    registerConfigSecrets(rules);
    const out = redactSecrets('key=alpacaSecretValue123 token=TokenOnlyValue_0123456789 pw=dbPassw0rdValue path=/usr/bin:/bin');
    expect(out).toBe('key=[REDACTED] token=[REDACTED] pw=[REDACTED] path=/usr/bin:/bin');
    expect(redactSecrets('connecting to mysql://root:s3cretpw@localhost/db')).toBe('connecting to mysql://root:[REDACTED]@localhost/db');
  });
});
