/**
 * Issue 5, property test: random events with long, odd and hostile strings (`@everyone`,
 * markdown, 10 KB fields, empty values, secrets…) rendered by renderNotification, single and
 * grouped, and sent through both real sinks (WebhookSink and BotChannelSink) to the fake Discord,
 * which validates bodies as Discord does: every request is accepted, and nothing in what Discord
 * received could ping anyone or shows a secret.
 */
import fc from 'fast-check';
import type { DiscordMessage } from '../../src/discord/DiscordMessage';
import { renderNotification } from '../../src/discord/render';
import { BotChannelSink } from '../../src/discord/sinks/BotChannelSink';
import type { Sink } from '../../src/discord/sinks/Sink';
import { WebhookSink } from '../../src/discord/sinks/WebhookSink';
import { clearRegisteredSecrets, registerSecret } from '../../src/logging/redactSecrets';
import type { Notification } from '../../src/streams/notify/Notification';
import { FakeDiscord } from '../support/fakeDiscord';
import { discordRuleViolations } from './render/discordRules';
import { HOSTILE_BOT_TOKEN, HOSTILE_WEBHOOK_TOKEN, hostileEvent, hostileNotification } from './render/hostileEvents';

const SECRETS = [HOSTILE_WEBHOOK_TOKEN, HOSTILE_BOT_TOKEN];
/** What the sinks add to a rendered message; the rest is checked against Discord's rules. */
const SINK_KEYS = ['nonce', 'enforce_nonce', 'username'];

const singleNotification: fc.Arbitrary<Notification> = fc.record({
  channel: fc.constant('alerts'),
  route: fc.nat({ max: 5 }),
  groupKey: fc.string({ maxLength: 30 }),
  groupLabels: fc.constant({}),
  events: hostileEvent.map((event) => [event]),
  silent: fc.boolean(),
});

describe('hostile events rendered and sent to the fake Discord (property)', () => {
  let fake: FakeDiscord;
  let webhook: WebhookSink;
  let bot: BotChannelSink;

  beforeAll(async () => {
    registerSecret(HOSTILE_BOT_TOKEN);
    // Limits raised: this test is about what Discord accepts, not about pacing (the burst test is).
    fake = await FakeDiscord.start({
      channels: [{ name: 'trades' }, { name: 'alerts' }],
      webhooks: [{ name: 'Barista', channel: 'trades' }],
      rateLimits: { webhook: { limit: 100_000, windowMs: 1000 }, channelMessages: { limit: 100_000, windowMs: 1000 } },
    });
    webhook = new WebhookSink({ webhook: { id: fake.webhooks[0]!.id, token: fake.webhooks[0]!.token }, apiBase: fake.apiBase, timeoutMs: 5000 });
    bot = new BotChannelSink({ token: fake.botToken, channelId: fake.channel('alerts').id, apiBase: fake.apiBase, timeoutMs: 5000 });
  });

  afterAll(async () => {
    webhook.close();
    bot.close();
    await fake.stop();
    clearRegisteredSecrets();
  });

  let nonce = 0;
  /** Sends one message through one sink and checks what the fake received and answered. */
  async function sendAndCheck(sink: Sink, message: DiscordMessage): Promise<void> {
    const before = fake.requests.length;
    const outcome = await sink.send(message, { nonce: `prop-${nonce++}` });
    const requests = fake.requests.slice(before);
    // One request, accepted: no 400 (invalid body), no retry needed.
    expect({ outcome, statuses: requests.map((r) => r.status) }).toEqual({ outcome: { status: 'sent', messageId: expect.any(String) }, statuses: [200] });
    const body = requests[0]!.body as Record<string, unknown>;
    expect(body.allowed_mentions).toEqual({ parse: [] });
    const rendered = Object.fromEntries(Object.entries(body).filter(([key]) => !SINK_KEYS.includes(key)));
    // Nothing that can ping, no secret, within every limit — in the body as Discord got it.
    expect(discordRuleViolations(rendered, { secrets: SECRETS })).toEqual([]);
    // The message the fake created carries exactly what was sent.
    const created = fake.messages.find((m) => m.id === (outcome.status === 'sent' ? outcome.messageId : undefined));
    expect(created?.embeds).toMatchObject(message.embeds);
  }

  it('every rendered message, single or grouped, is accepted through the webhook and the bot channel, and pings no one', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(singleNotification, hostileNotification(30)), async (notification) => {
        const messages = renderNotification(notification);
        expect(messages.length).toBeGreaterThan(0);
        for (const message of messages) {
          await sendAndCheck(webhook, message);
          await sendAndCheck(bot, message);
          sent += 2;
        }
      }),
      { numRuns: 100 },
    );
    expect(fake.count429()).toBe(0);
    expect(fake.requests.filter((r) => r.status !== 200)).toEqual([]);
    expect(fake.requests).toHaveLength(sent);
  }, 60_000);
});
