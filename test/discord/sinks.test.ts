import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { SUPPRESS_NOTIFICATIONS, type DiscordMessage } from '../../src/discord/DiscordMessage';
import { BotChannelSink } from '../../src/discord/sinks/BotChannelSink';
import type { SendOutcome } from '../../src/discord/sinks/Sink';
import { WebhookSink } from '../../src/discord/sinks/WebhookSink';
import { parseWebhookUrl } from '../../src/discord/sinks/webhookUrl';
import { FakeDiscord } from '../support/fakeDiscord';

const message = (overrides: Partial<DiscordMessage> = {}): DiscordMessage => ({
  embeds: [{ title: 'BUY BTC', description: '0.05 @ 97,250', color: 0x2ecc71, fields: [{ name: 'value', value: '$4,862.50', inline: true }] }],
  allowed_mentions: { parse: [] },
  ...overrides,
});

describe('parseWebhookUrl', () => {
  const id = '1098765432109876543';
  const token = 'Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';

  it.each([
    `https://discord.com/api/webhooks/${id}/${token}`,
    `https://discordapp.com/api/webhooks/${id}/${token}`,
    `https://canary.discord.com/api/v10/webhooks/${id}/${token}/`,
    `https://discord.com/api/webhooks/${id}/${token}?wait=true`,
    `http://127.0.0.1:4321/api/webhooks/${id}/${token}`,
  ])('reads id and token from %s', (url) => {
    expect(parseWebhookUrl(url)).toEqual({ id, token });
  });

  it.each([
    `https://discord.com/webhooks/${id}/${token}`,
    `https://discord.com/api/webhooks/notanid/${token}`,
    `https://discord.com/api/webhooks/${id}`,
    `ftp://discord.com/api/webhooks/${id}/${token}`,
    `discord.com/api/webhooks/${id}/${token}`,
  ])('refuses %s without echoing the token', (url) => {
    let thrown: unknown;
    try {
      parseWebhookUrl(url);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).not.toContain(token);
  });
});

describe('Discord sinks against the fake Discord', () => {
  let fake: FakeDiscord;
  const sinks: Array<{ close(): void }> = [];
  const track = <T extends { close(): void }>(sink: T): T => {
    sinks.push(sink);
    return sink;
  };

  beforeEach(async () => {
    fake = await FakeDiscord.start({
      channels: [{ name: 'trades' }, { name: 'alerts' }],
      webhooks: [{ name: 'Barista', channel: 'trades' }],
      rateLimits: { webhook: { limit: 5, windowMs: 300 }, channelMessages: { limit: 5, windowMs: 300 } },
    });
  });
  afterEach(async () => {
    for (const sink of sinks.splice(0)) sink.close();
    await fake.stop();
  });

  const secretsOf = (): string[] => [fake.botToken, ...fake.webhooks.map((w) => w.token), fake.webhookUrl()];
  /** Every outcome's error is checked: no token, no webhook URL. */
  const expectNoSecrets = (outcome: SendOutcome): void => {
    if (outcome.status === 'sent') return;
    for (const secret of secretsOf()) expect(outcome.error).not.toContain(secret);
  };
  const webhookSink = (options: Partial<ConstructorParameters<typeof WebhookSink>[0]> = {}): WebhookSink =>
    track(new WebhookSink({ url: fake.webhookUrl(), apiBase: fake.apiBase, timeoutMs: 2000, ...options }));
  const botSink = (options: Partial<ConstructorParameters<typeof BotChannelSink>[0]> = {}): BotChannelSink =>
    track(new BotChannelSink({ token: fake.botToken, channelId: fake.channel('alerts').id, apiBase: fake.apiBase, timeoutMs: 2000, ...options }));

  describe('WebhookSink', () => {
    it('sends the message as Discord receives it and reports the created message id', async () => {
      const sink = webhookSink({ username: 'Barista Notifier' });
      expect(sink.key).toBe(`webhook:${fake.webhooks[0]!.id}`);
      const outcome = await sink.send(message({ content: 'fills', flags: SUPPRESS_NOTIFICATIONS }), { nonce: 'n1' });

      const [created] = fake.webhookMessages();
      expect(outcome).toEqual({ status: 'sent', messageId: created!.id });
      expect(created).toMatchObject({ channel_id: fake.channel('trades').id, content: 'fills', flags: SUPPRESS_NOTIFICATIONS, author: { username: 'Barista Notifier', bot: true } });
      const [request] = fake.requests;
      expect(request).toMatchObject({ method: 'POST', path: `/api/v10/webhooks/${fake.webhooks[0]!.id}/${fake.webhooks[0]!.token}`, query: { wait: 'true' }, status: 200 });
      expect(request!.headers.authorization).toBeUndefined();
      expect(request!.body).toMatchObject({ allowed_mentions: { parse: [] }, username: 'Barista Notifier', embeds: message().embeds });
    });

    it('takes the webhook as { id, token } too', async () => {
      const { id, token } = fake.webhooks[0]!;
      const sink = track(new WebhookSink({ webhook: { id, token }, apiBase: fake.apiBase }));
      expect(await sink.send(message(), { nonce: 'n' })).toMatchObject({ status: 'sent' });
    });

    it('rejects a message Discord refuses, naming Discord code and field, without the token', async () => {
      const sink = webhookSink();
      const outcome = await sink.send(message({ embeds: [{ title: 'x', fields: [{ name: 'pnl', value: ' ' }] }] }), { nonce: 'n' });
      expect(outcome.status).toBe('rejected');
      expectNoSecrets(outcome);
      expect(outcome).toMatchObject({ error: expect.stringContaining('Discord 400 50035: Invalid Form Body') });
      expect(outcome).toMatchObject({ error: expect.stringContaining('embeds[0].fields[0].value[BASE_TYPE_REQUIRED]') });

      const tooLong = await sink.send(message({ embeds: [{ title: 'x'.repeat(257) }] }), { nonce: 'n' });
      expect(tooLong).toMatchObject({ status: 'rejected', error: expect.stringContaining('embeds[0].title[BASE_TYPE_MAX_LENGTH]') });
      expect(fake.webhookMessages()).toHaveLength(0);
    });

    it('reports an unknown webhook (404 10015) and a wrong token (401 50027) as the destination refused', async () => {
      const unknown = await webhookSink({ url: undefined, webhook: { id: '1234567890123456789', token: fake.webhooks[0]!.token } }).send(message(), { nonce: 'n' });
      expect(unknown).toMatchObject({ status: 'refused', error: expect.stringContaining('Discord 404 10015: Unknown Webhook') });
      expectNoSecrets(unknown);
      const wrongToken = await webhookSink({ url: undefined, webhook: { id: fake.webhooks[0]!.id, token: 'W'.repeat(68) } }).send(message(), { nonce: 'n' });
      expect(wrongToken).toMatchObject({ status: 'refused', error: expect.stringContaining('Discord 401 50027') });
      expect(wrongToken.status === 'refused' && wrongToken.error).not.toContain('W'.repeat(68));
    });

    it('asks for a retry on 5xx after one immediate retry, and succeeds when the second attempt does', async () => {
      const sink = webhookSink({ retries: 1 });
      fake.fail({ path: /\/webhooks\//, status: 500, times: 2 });
      const failed = await sink.send(message(), { nonce: 'n' });
      expect(failed).toEqual({ status: 'retry', error: 'Discord 500 Internal Server Error' });
      expect(fake.requests.map((r) => r.status)).toEqual([500, 500]);

      fake.fail({ path: /\/webhooks\//, status: 502, times: 1 });
      expect(await sink.send(message(), { nonce: 'n' })).toMatchObject({ status: 'sent' });
      expect(fake.webhookMessages()).toHaveLength(1);
    });

    it('asks for a retry when the connection drops, when Discord never answers, and during an outage', async () => {
      fake.fail({ path: /\/webhooks\//, drop: true });
      const dropped = await webhookSink({ retries: 0 }).send(message(), { nonce: 'n' });
      expect(dropped).toMatchObject({ status: 'retry', error: expect.stringContaining('network error') });
      expectNoSecrets(dropped);

      fake.fail({ path: /\/webhooks\//, hang: true });
      const hung = await webhookSink({ retries: 0, timeoutMs: 200 }).send(message(), { nonce: 'n' });
      expect(hung).toEqual({ status: 'retry', error: 'no answer from Discord within 200 ms (it may still have posted the message)' });

      const outage = fake.outage({ status: 503, durationMs: 60_000 });
      const during = await webhookSink().send(message(), { nonce: 'n' });
      expect(during).toEqual({ status: 'retry', error: 'Discord 503 Service Unavailable' });
      outage.end();
      expect(await webhookSink().send(message(), { nonce: 'n' })).toMatchObject({ status: 'sent' });
      expect(fake.webhookMessages()).toHaveLength(1);
    });

    it('waits out a short 429 itself, but returns a long one as retry with its delay', async () => {
      const sink = webhookSink({ maxRateLimitWaitMs: 1000 });
      fake.fail({ path: /\/webhooks\//, status: 429, retryAfterMs: 100 });
      expect(await sink.send(message(), { nonce: 'n' })).toMatchObject({ status: 'sent' });
      expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);

      fake.fail({ path: /\/webhooks\//, status: 429, retryAfterMs: 120_000 });
      const limited = await webhookSink({ maxRateLimitWaitMs: 1000 }).send(message(), { nonce: 'n' });
      expect(limited.status).toBe('retry');
      expect(limited.status === 'retry' && limited.retryAfterMs).toBeGreaterThanOrEqual(120_000);
      expectNoSecrets(limited);
      expect(fake.webhookMessages()).toHaveLength(1);
    });

    it('gives up within its deadline when Discord keeps answering 429', async () => {
      fake.fail({ path: /\/webhooks\//, status: 429, retryAfterMs: 50, times: 10_000 });
      const outcome = await webhookSink({ maxRateLimitWaitMs: 500, timeoutMs: 200, retries: 0 }).send(message(), { nonce: 'n' });
      expect(outcome).toMatchObject({ status: 'retry', error: expect.stringMatching(/^no answer from Discord within \d+ ms$/) });
      expect(fake.count429()).toBeGreaterThan(1);
    });

    it('follows the rate-limit headers: a run of sends draws no 429 and stays within 5 per window', async () => {
      const sink = webhookSink();
      const outcomes: SendOutcome[] = [];
      for (let i = 0; i < 12; i++) outcomes.push(await sink.send(message({ content: `#${i}` }), { nonce: `n${i}` }));
      expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
      expect(fake.webhookMessages().map((m) => m.content)).toEqual(Array.from({ length: 12 }, (_, i) => `#${i}`));
      expect(fake.count429()).toBe(0);
      expect(fake.bucket(`webhook:${fake.webhooks[0]!.id}`)?.maxAttemptsInWindow).toBeLessThanOrEqual(5);
    });
  });

  describe('BotChannelSink', () => {
    it('posts as the bot with a nonce Discord enforces, and reports the message id', async () => {
      const sink = botSink();
      expect(sink.key).toBe(`bot:${fake.channel('alerts').id}`);
      const outcome = await sink.send(message({ content: 'stop-loss ETH' }), { nonce: 'outbox-42' });
      const [created] = fake.botMessages('alerts');
      expect(outcome).toEqual({ status: 'sent', messageId: created!.id });
      expect(created).toMatchObject({ content: 'stop-loss ETH', nonce: 'outbox-42', author: { id: fake.botUser.id } });
      const [request] = fake.requests;
      expect(request!.headers.authorization).toBe(`Bot ${fake.botToken}`);
      expect(request!.body).toMatchObject({ nonce: 'outbox-42', enforce_nonce: true, allowed_mentions: { parse: [] } });
    });

    it('sending the same nonce twice leaves one message in the channel', async () => {
      const sink = botSink();
      const first = await sink.send(message({ content: 'once' }), { nonce: 'outbox-7' });
      const again = await sink.send(message({ content: 'once' }), { nonce: 'outbox-7' });
      expect(first.status).toBe('sent');
      expect(again).toEqual(first);
      expect(fake.messagesIn('alerts')).toHaveLength(1);

      await sink.send(message({ content: 'other row' }), { nonce: 'outbox-8' });
      expect(fake.messagesIn('alerts').map((m) => m.content)).toEqual(['once', 'other row']);
    });

    it('a lost answer is retried without a duplicate: Discord returns the message the lost attempt created', async () => {
      fake.fail({ path: /\/channels\/\d+\/messages$/, drop: 'after-processing' });
      const lost = await botSink({ retries: 0 }).send(message({ content: 'BUY SOL' }), { nonce: 'outbox-9' });
      expect(lost.status).toBe('retry');
      expect(fake.messagesIn('alerts')).toHaveLength(1);

      const retried = await botSink().send(message({ content: 'BUY SOL' }), { nonce: 'outbox-9' });
      expect(retried).toEqual({ status: 'sent', messageId: fake.messagesIn('alerts')[0]!.id });
      expect(fake.messagesIn('alerts')).toHaveLength(1);
    });

    it('reports a wrong token, a missing permission or an unknown channel as the destination refused, never showing the token', async () => {
      const wrongToken = `${fake.botToken.slice(0, -4)}XXXX`;
      const refused = await botSink({ token: wrongToken }).send(message(), { nonce: 'n' });
      expect(refused).toMatchObject({ status: 'refused', error: expect.stringContaining('Discord 401') });
      expect(refused.status === 'refused' && refused.error).not.toContain(wrongToken);
      expectNoSecrets(refused);

      fake.setCanSend('trades', false);
      expect(await botSink({ channelId: fake.channel('trades').id }).send(message(), { nonce: 'n' })).toEqual({ status: 'refused', error: 'Discord 403 50013: Missing Permissions' });
      fake.setCanSend('trades', true);

      const unknown = await botSink({ channelId: '1234567890123456789' }).send(message(), { nonce: 'n' });
      expect(unknown).toMatchObject({ status: 'refused', error: 'Discord 404 10003: Unknown Channel' });
      expect(fake.messages).toHaveLength(0);
    });

    it('asks for a retry on 5xx and reports Discord validation errors by field', async () => {
      fake.fail({ path: /\/channels\//, status: 503, times: 2 });
      expect(await botSink({ retries: 1 }).send(message(), { nonce: 'n1' })).toEqual({ status: 'retry', error: 'Discord 503 Service Unavailable' });
      const invalid = await botSink().send(message({ content: 'x'.repeat(2001) }), { nonce: 'n2' });
      expect(invalid).toMatchObject({ status: 'rejected', error: expect.stringContaining('content[BASE_TYPE_MAX_LENGTH]: Must be 2000 or fewer in length.') });
    });

    it('refuses a channel id that is not a snowflake, and sends nothing once closed', async () => {
      expect(() => new BotChannelSink({ token: fake.botToken, channelId: '#alerts' })).toThrow('snowflake');
      const sink = botSink();
      sink.close();
      expect(await sink.send(message(), { nonce: 'n' })).toEqual({ status: 'retry', error: 'sink is closed' });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('API base', () => {
    let previous: Dispatcher;
    let origins: string[];
    beforeEach(() => {
      previous = getGlobalDispatcher();
      origins = [];
      // Records where every HTTP request goes; refuses anything but 127.0.0.1 so nothing reaches the real Discord.
      class GuardAgent extends Agent {
        override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
          const origin = String(options.origin);
          origins.push(origin);
          if (!origin.startsWith('http://127.0.0.1:')) {
            handler.onError?.(new Error(`blocked request to ${origin}`));
            return true;
          }
          return super.dispatch(options, handler);
        }
      }
      setGlobalDispatcher(new GuardAgent());
    });
    afterEach(() => setGlobalDispatcher(previous));

    it('sends only to the configured API base; without one, to discord.com', async () => {
      expect(await botSink().send(message(), { nonce: 'a' })).toMatchObject({ status: 'sent' });
      expect(await webhookSink().send(message(), { nonce: 'b' })).toMatchObject({ status: 'sent' });
      expect(new Set(origins)).toEqual(new Set([new URL(fake.apiBase).origin]));

      const unconfigured = await track(new BotChannelSink({ token: fake.botToken, channelId: fake.channel('alerts').id, retries: 0 })).send(message(), { nonce: 'c' });
      expect(unconfigured).toMatchObject({ status: 'retry', error: expect.stringContaining('blocked request to https://discord.com') });
      expectNoSecrets(unconfigured);
    });
  });
});
