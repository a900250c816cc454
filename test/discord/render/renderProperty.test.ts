import fc from 'fast-check';
import { renderNotification, renderTextPreview } from '../../../src/discord/render';
import { clearRegisteredSecrets, registerSecret } from '../../../src/logging/redactSecrets';
import { discordRuleViolations } from './discordRules';
import { HOSTILE_BOT_TOKEN, HOSTILE_WEBHOOK_TOKEN, hostileEvent, hostileNotification } from './hostileEvents';

const SECRETS = [HOSTILE_WEBHOOK_TOKEN, HOSTILE_BOT_TOKEN];

describe('rendering hostile events (property)', () => {
  beforeAll(() => registerSecret(HOSTILE_BOT_TOKEN));
  afterAll(clearRegisteredSecrets);

  it('every message of any group passes Discord’s rules, pings no one, shows no secret, and stays few', () => {
    fc.assert(
      fc.property(hostileNotification(), (notification) => {
        const messages = renderNotification(notification);
        expect(messages.length).toBeGreaterThan(0);
        // A group makes at most a handful of sections, each at most a few embeds.
        expect(messages.length).toBeLessThanOrEqual(12);
        for (const message of messages) {
          expect(discordRuleViolations(message, { secrets: SECRETS })).toEqual([]);
          expect(JSON.parse(JSON.stringify(message))).toEqual(message);
          expect(((message.flags ?? 0) & (1 << 12)) !== 0).toBe(notification.silent);
        }
        expect(typeof renderTextPreview(messages)).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('thousands of copies of a hostile event still make a few valid messages', () => {
    fc.assert(
      fc.property(fc.array(hostileEvent, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1_000, max: 10_000 }), fc.boolean(), (seeds, count, sameType) => {
        const events = Array.from({ length: count }, (_, i) => {
          const seed = seeds[i % seeds.length];
          return { ...seed, id: `${i}`, type: sameType ? seeds[0].type : seed.type };
        });
        const messages = renderNotification({ channel: 'c', route: 0, groupKey: 'k', groupLabels: {}, events, silent: false });
        expect(messages.length).toBeGreaterThan(0);
        expect(messages.length).toBeLessThanOrEqual(12);
        for (const message of messages) expect(discordRuleViolations(message, { secrets: SECRETS })).toEqual([]);
      }),
      { numRuns: 10 },
    );
  });
});
