/**
 * The fake Discord driven by the REAL discord.js Client, REST and WebhookClient: if these pass,
 * barista's Discord code meets the same answers it would meet on discord.com.
 */
import zlib from 'node:zlib';
import { DiscordAPIError, HTTPError, RateLimitError, REST } from '@discordjs/rest';
import { Client, Events, GatewayIntentBits, WebhookClient, type ChatInputCommandInteraction, type ClientOptions, type Message } from 'discord.js';
import { WebSocket } from 'ws';
import { FakeDiscord, DISCORD_LIMITS, validateMessageBody, type FakeDiscordOptions } from '../support/fakeDiscord';
import { waitFor } from '../support/waitFor';

const INTENTS_WITH_CONTENT = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent];
const noIdentifyWait = { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) };

describe('FakeDiscord with the real discord.js', () => {
  let fake: FakeDiscord;
  const clients: Client[] = [];
  const rests: REST[] = [];
  const webhookClients: WebhookClient[] = [];

  async function start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    fake = await FakeDiscord.start(options);
    return fake;
  }

  async function readyClient(intents: GatewayIntentBits[] = INTENTS_WITH_CONTENT, options: Partial<ClientOptions> = {}): Promise<Client> {
    const client = new Client({ intents, rest: { api: fake.apiBase, timeout: 2000 }, ...options });
    clients.push(client);
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.botToken);
    await ready;
    return client;
  }

  function rest(options: ConstructorParameters<typeof REST>[0] = {}): REST {
    const r = new REST({ api: fake.apiBase, timeout: 2000, ...options }).setToken(fake.botToken);
    rests.push(r);
    return r;
  }

  const nextEvent = <T>(client: Client, event: Events, accept: (value: T) => boolean = () => true): Promise<T> =>
    new Promise((resolve) => {
      const listener = (value: T): void => {
        if (!accept(value)) return;
        client.off(event as string, listener);
        resolve(value);
      };
      client.on(event as string, listener);
    });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.destroy();
    for (const webhook of webhookClients.splice(0)) webhook.destroy();
    for (const r of rests.splice(0)) {
      r.clearHashSweeper();
      r.clearHandlerSweeper();
    }
    await fake?.stop();
  });

  describe('gateway', () => {
    it('logs a client in: clientReady with the bot user, application, guild and channels', async () => {
      await start({ channels: [{ name: 'general' }, { name: 'trades' }] });
      const client = await readyClient();
      expect(client.user?.id).toBe(fake.botUser.id);
      expect(client.application?.id).toBe(fake.applicationId);
      expect(client.guilds.cache.get(fake.guildId)?.channels.cache.map((c) => c.name).sort()).toEqual(['general', 'trades']);
      const identify = fake.gatewayFrames.find((f) => f.direction === 'in' && f.op === 2);
      expect(identify?.d).toMatchObject({ token: '<token>', intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent, shard: [0, 1] });
      expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('GET /api/v10/gateway/bot 200');
    });

    it('refuses a wrong token (401 on /gateway/bot → TokenInvalid)', async () => {
      await start();
      const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase, timeout: 2000 } });
      clients.push(client);
      await expect(client.login(`${fake.botToken.slice(0, -4)}XXXX`)).rejects.toMatchObject({ code: 'TokenInvalid' });
    });

    it('closes with 4014 when privileged intents are not enabled for the app', async () => {
      await start({ allowPrivilegedIntents: false });
      const client = new Client({ intents: INTENTS_WITH_CONTENT, rest: { api: fake.apiBase, timeout: 2000 } });
      clients.push(client);
      await expect(client.login(fake.botToken)).rejects.toThrow(/intent/i);
    });

    it('delivers user messages with content only to a client that has the MessageContent intent', async () => {
      await start();
      const withContent = await readyClient();
      const withoutContent = await readyClient([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
      const seenWith = nextEvent<Message>(withContent, Events.MessageCreate);
      const seenWithout = nextEvent<Message>(withoutContent, Events.MessageCreate);
      const sent = fake.userSays('general', '!status', 'alice');
      const [a, b] = await Promise.all([seenWith, seenWithout]);
      expect(a).toMatchObject({ id: sent.id, content: '!status', channelId: fake.channel('general').id });
      expect(a.author.username).toBe('alice');
      expect(a.member?.roles.cache.has(fake.roleId('ops'))).toBe(true);
      expect(b.id).toBe(sent.id);
      expect(b.content).toBe('');

      // Discord still shows content that mentions the bot.
      const mention = nextEvent<Message>(withoutContent, Events.MessageCreate);
      fake.userSays('general', `<@${fake.botUser.id}> status`);
      expect((await mention).content).toBe(`<@${fake.botUser.id}> status`);
    });

    it("echoes the bot's own reply back as messageCreate, as Discord does", async () => {
      await start();
      const client = await readyClient();
      client.on(Events.MessageCreate, (m) => {
        if (!m.author.bot && m.content === '!status') void m.reply({ embeds: [{ title: 'Status', description: 'ok' }], allowedMentions: { parse: [] } });
      });
      const echo = nextEvent<Message>(client, Events.MessageCreate, (m) => m.author.bot);
      fake.userSays('general', '!status');
      const own = await echo;
      expect(own.author.id).toBe(fake.botUser.id);
      expect(own.embeds[0]?.title).toBe('Status');
      expect(fake.botMessages('general')).toHaveLength(1);
      expect(fake.botMessages('general')[0]).toMatchObject({ type: 19, message_reference: { message_id: expect.any(String) } });
    });

    it('answers heartbeats', async () => {
      await start({ heartbeatIntervalMs: 50 });
      await readyClient();
      await waitFor(() => fake.gatewayFrames.filter((f) => f.direction === 'out' && f.op === 11).length >= 2, { what: 'two heartbeat ACKs' });
      expect(fake.gatewayFrames.filter((f) => f.direction === 'in' && f.op === 1).length).toBeGreaterThanOrEqual(2);
    });

    it('op 7 RECONNECT: the client resumes and gets what was dispatched while it was away', async () => {
      await start();
      const client = await readyClient();
      const seen: string[] = [];
      client.on(Events.MessageCreate, (m) => seen.push(m.content));
      fake.reconnectGateway();
      fake.userSays('general', 'while reconnecting');
      await waitFor(() => fake.gatewayFrames.some((f) => f.direction === 'out' && f.t === 'RESUMED'), { what: 'RESUMED' });
      await waitFor(() => seen.includes('while reconnecting'), { what: 'replayed message' });
      expect(fake.gatewayFrames.find((f) => f.direction === 'in' && f.op === 6)?.d).toMatchObject({ token: '<token>', session_id: expect.any(String) });
      fake.userSays('general', 'after resume');
      await waitFor(() => seen.includes('after resume'), { what: 'message after resume' });
      expect(seen).toEqual(['while reconnecting', 'after resume']);
    });

    it('a server close 1000 makes the client identify again; 4000 makes it resume', async () => {
      await start();
      const client = await readyClient(INTENTS_WITH_CONTENT, { ws: noIdentifyWait });
      const identifies = (): number => fake.gatewayFrames.filter((f) => f.direction === 'in' && f.op === 2).length;
      const resumes = (): number => fake.gatewayFrames.filter((f) => f.direction === 'in' && f.op === 6).length;
      fake.closeGateway(1000);
      await waitFor(() => identifies() === 2 && fake.gatewayConnections === 1, { what: 're-IDENTIFY' });
      fake.closeGateway(4000);
      await waitFor(() => resumes() === 1 && fake.gatewayConnections === 1, { what: 'RESUME' });
      const seen = nextEvent<Message>(client, Events.MessageCreate);
      fake.userSays('general', 'still here');
      expect((await seen).content).toBe('still here');
    });

    it('speaks zlib-stream when the client asks for it', async () => {
      await start();
      const ws = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
      const inflate = zlib.createInflate();
      const hello = new Promise<{ op: number; d: { heartbeat_interval: number } }>((resolve) => {
        ws.on('message', (data: Buffer) => {
          inflate.write(data);
          inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            const text = inflate.read()?.toString();
            if (text) resolve(JSON.parse(text));
          });
        });
      });
      expect(await hello).toEqual({ op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null });
      ws.close();
      inflate.destroy();
    });
  });

  describe('interactions and commands', () => {
    it('reply, deferReply + editReply reach the fake as Discord would get them', async () => {
      await start();
      const client = await readyClient();
      client.on(Events.InteractionCreate, (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        if (interaction.commandName === 'ping') void interaction.reply({ content: `pong ${interaction.options.getString('target') ?? ''}`.trim() });
        if (interaction.commandName === 'status') void (async (i: ChatInputCommandInteraction) => {
          await i.deferReply();
          await i.editReply({ embeds: [{ title: 'Status', fields: [{ name: 'uptime', value: '42s' }] }] });
        })(interaction);
      });

      const ping = fake.slash('ping', { target: 'BTC' }, 'bob');
      await waitFor(() => ping.original, { what: 'ping reply' });
      expect(ping.callbacks).toEqual([{ type: 4, data: expect.objectContaining({ content: 'pong BTC' }), at: expect.any(Number) }]);
      const callback = await fake.waitForRequest((r) => r.path.endsWith('/callback'));
      expect(callback).toMatchObject({ status: 204, query: { with_response: 'false' } });
      expect(callback.headers.authorization).toBeUndefined();

      const status = fake.slash('status');
      await waitFor(() => status.original?.embeds.length, { what: 'edited reply' });
      expect(status.callbacks.map((c) => c.type)).toEqual([5]);
      expect(status.original).toMatchObject({ embeds: [{ title: 'Status', fields: [{ name: 'uptime', value: '42s' }] }], edited_timestamp: expect.any(String) });
      const edit = await fake.waitForRequest((r) => r.method === 'PATCH');
      expect(edit.path).toBe(`/api/v10/webhooks/${fake.applicationId}/${status.token}/messages/@original`);
      expect(edit.status).toBe(200);
    });

    it('refuses unknown, late and twice-acknowledged interactions (10062, 40060)', async () => {
      await start({ interactionResponseDeadlineMs: 100 });
      const r = rest();
      const callback = (id: string, token: string) => r.post(`/interactions/${id}/${token}/callback`, { auth: false, body: { type: 4, data: { content: 'hi' } } });
      const interaction = fake.slash('ping');
      await callback(interaction.id, interaction.token);
      await expect(callback(interaction.id, interaction.token)).rejects.toMatchObject({ status: 400, code: 40060 });
      await expect(callback(interaction.id, 'not-the-token')).rejects.toMatchObject({ status: 404, code: 10062 });

      const late = fake.slash('ping');
      await waitFor(() => Date.now() > late.createdAt + 150, { what: 'deadline passed' });
      await expect(callback(late.id, late.token)).rejects.toMatchObject({ status: 404, code: 10062 });
      expect(late.acknowledged).toBe(false);
    });

    it('registers commands globally and per guild, keeping ids on overwrite, and refuses invalid names', async () => {
      await start();
      const client = await readyClient();
      const defs = [
        { name: 'status', description: 'Show status' },
        { name: 'trades', description: 'Recent trades', options: [{ name: 'limit', description: 'How many', type: 4 }] },
      ];
      const first = await client.application!.commands.set(defs);
      expect(first.map((c) => c.name).sort()).toEqual(['status', 'trades']);
      const again = await client.application!.commands.set(defs);
      expect(again.get(first.findKey((c) => c.name === 'status')!)?.name).toBe('status');
      expect(fake.commands().map((c) => c.name).sort()).toEqual(['status', 'trades']);
      await client.application!.commands.set([{ name: 'trader', description: 'Control' }], fake.guildId);
      expect(fake.commands({ guild: true }).map((c) => c.name)).toEqual(['trader']);
      const put = await fake.waitForRequest((r) => r.method === 'PUT');
      expect(put.body).toEqual([expect.objectContaining({ name: 'status', description: 'Show status' }), expect.objectContaining({ name: 'trades' })]);

      await expect(client.application!.commands.set([{ name: 'Bad Name', description: 'x' }])).rejects.toMatchObject({ status: 400, code: 50035, message: expect.stringContaining('0.name[APPLICATION_COMMAND_INVALID_NAME]') });

      // A slash invocation carries the registered command's id and typed options.
      const got = nextEvent<ChatInputCommandInteraction>(client, Events.InteractionCreate);
      fake.slash('trades', { limit: 3 });
      const interaction = await got;
      expect(interaction.commandId).toBe(fake.commands().find((c) => c.name === 'trades')?.id);
      expect(interaction.options.getInteger('limit')).toBe(3);
    });
  });

  describe('REST messages', () => {
    it('WebhookClient.send posts through the webhook (wait=true returns the message, without wait 204)', async () => {
      await start();
      const webhook = fake.webhooks[0]!;
      const client = new WebhookClient({ id: webhook.id, token: webhook.token }, { rest: { api: fake.apiBase, timeout: 2000 } });
      webhookClients.push(client);
      const sent = await client.send({ content: 'deployed v1.2.3', username: 'Deploy Bot', embeds: [{ description: 'deployed v1.2.3' }] });
      expect(sent).toMatchObject({ webhook_id: webhook.id, content: 'deployed v1.2.3', author: { username: 'Deploy Bot', bot: true } });
      expect(fake.webhookMessages(webhook.id)).toHaveLength(1);
      expect(fake.messagesIn(webhook.channelId)[0]?.id).toBe(sent.id);

      const noWait = await fetch(`${fake.apiBase}/v10/webhooks/${webhook.id}/${webhook.token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content: 'x' }) });
      expect(noWait.status).toBe(204);
      expect(await noWait.text()).toBe('');
    });

    it('answers unknown webhooks 404 10015 and wrong tokens 401', async () => {
      await start();
      const r = rest();
      await expect(r.post(`/webhooks/1234567890123456789/${fake.webhooks[0]!.token}`, { auth: false, body: { content: 'x' } })).rejects.toMatchObject({ status: 404, code: 10015 });
      await expect(r.post(`/webhooks/${fake.webhooks[0]!.id}/${'x'.repeat(68)}`, { auth: false, body: { content: 'x' } })).rejects.toMatchObject({ status: 401 });
      const unauthenticated = new REST({ api: fake.apiBase }).setToken('not-the-token');
      rests.push(unauthenticated);
      await expect(unauthenticated.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'x' } })).rejects.toMatchObject({ status: 401 });
      expect(fake.messages).toHaveLength(0);
    });

    const field = (value = 'v', name = 'n') => ({ name, value });
    it.each([
      ['content over 2000', { content: 'x'.repeat(DISCORD_LIMITS.contentLength + 1) }, 'content[BASE_TYPE_MAX_LENGTH]'],
      ['more than 10 embeds', { embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }, 'embeds[BASE_TYPE_MAX_LENGTH]'],
      ['title over 256', { embeds: [{ title: 'x'.repeat(257) }] }, 'embeds[0].title[BASE_TYPE_MAX_LENGTH]'],
      ['description over 4096', { embeds: [{ description: 'x'.repeat(4097) }] }, 'embeds[0].description[BASE_TYPE_MAX_LENGTH]'],
      ['more than 25 fields', { embeds: [{ fields: Array.from({ length: 26 }, () => field()) }] }, 'embeds[0].fields[BASE_TYPE_MAX_LENGTH]'],
      ['field name over 256', { embeds: [{ fields: [field('v', 'x'.repeat(257))] }] }, 'embeds[0].fields[0].name[BASE_TYPE_MAX_LENGTH]'],
      ['empty field name', { embeds: [{ fields: [field('v', '')] }] }, 'embeds[0].fields[0].name[BASE_TYPE_REQUIRED]'],
      ['field value over 1024', { embeds: [{ fields: [field('x'.repeat(1025))] }] }, 'embeds[0].fields[0].value[BASE_TYPE_MAX_LENGTH]'],
      ['empty field value', { embeds: [{ fields: [field('')] }] }, 'embeds[0].fields[0].value[BASE_TYPE_REQUIRED]'],
      ['blank field value', { embeds: [{ fields: [field(' \n ')] }] }, 'embeds[0].fields[0].value[BASE_TYPE_REQUIRED]'],
      ['footer over 2048', { embeds: [{ title: 't', footer: { text: 'x'.repeat(2049) } }] }, 'embeds[0].footer.text[BASE_TYPE_MAX_LENGTH]'],
      ['author name over 256', { embeds: [{ title: 't', author: { name: 'x'.repeat(257) } }] }, 'embeds[0].author.name[BASE_TYPE_MAX_LENGTH]'],
      ['embeds over 6000 in total', { embeds: [{ description: 'x'.repeat(4000) }, { description: 'x'.repeat(2001) }] }, 'embeds[MAX_EMBED_SIZE_EXCEEDED]'],
    ])('400 50035 for %s, through a webhook and a bot channel', async (_what, body, where) => {
      await start();
      const r = rest();
      const webhook = fake.webhooks[0]!;
      for (const send of [() => r.post(`/webhooks/${webhook.id}/${webhook.token}`, { auth: false, body }), () => r.post(`/channels/${fake.channels[0]!.id}/messages`, { body })]) {
        const error = await send().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DiscordAPIError);
        expect(error).toMatchObject({ status: 400, code: 50035, message: expect.stringContaining(where) });
      }
      expect(fake.messages).toHaveLength(0);
      expect(validateMessageBody(body).length).toBeGreaterThan(0);
    });

    it('accepts every limit exactly, and refuses an empty message with 50006', async () => {
      await start();
      const r = rest();
      const atLimits = {
        content: 'x'.repeat(2000),
        embeds: [
          { title: 't'.repeat(256), description: 'd'.repeat(1000), footer: { text: 'f'.repeat(200) }, author: { name: 'a'.repeat(256) }, fields: Array.from({ length: 25 }, () => ({ name: 'n'.repeat(10), value: 'v'.repeat(100) })) },
          ...Array.from({ length: 9 }, () => ({ title: 'x'.repeat(100) })),
        ],
      };
      expect(validateMessageBody(atLimits)).toEqual([]);
      await r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: atLimits });
      // Code points, as Discord counts: 2000 emoji are 4000 UTF-16 units but fit.
      await r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: '🚀'.repeat(2000) } });
      expect(fake.messages).toHaveLength(2);
      await expect(r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: '  ', embeds: [] } })).rejects.toMatchObject({ status: 400, code: 50006 });
      expect(validateMessageBody({ embeds: [] })).toEqual(['Cannot send an empty message']);
      expect(validateMessageBody({ embeds: [{ title: 't', fields: [{ name: 'pnl', value: '' }] }] })).toEqual(['embeds[0].fields[0].value: This field is required']);
    });

    it('nonce + enforce_nonce: the same nonce again returns the first message and creates nothing', async () => {
      await start();
      const r = rest();
      const channel = fake.channels[0]!.id;
      const first = (await r.post(`/channels/${channel}/messages`, { body: { content: 'BUY BTC', nonce: 'outbox-1', enforce_nonce: true } })) as { id: string };
      const second = (await r.post(`/channels/${channel}/messages`, { body: { content: 'BUY BTC', nonce: 'outbox-1', enforce_nonce: true } })) as { id: string };
      expect(second.id).toBe(first.id);
      expect(fake.messagesIn(channel)).toHaveLength(1);
      // Without enforce_nonce Discord does not deduplicate; in another channel the nonce is new.
      await r.post(`/channels/${channel}/messages`, { body: { content: 'BUY BTC', nonce: 'outbox-1' } });
      await r.post(`/channels/${fake.channels[1]!.id}/messages`, { body: { content: 'BUY BTC', nonce: 'outbox-1', enforce_nonce: true } });
      expect(fake.messagesIn(channel)).toHaveLength(2);
      expect(fake.messagesIn(fake.channels[1]!.id)).toHaveLength(1);
      await expect(r.post(`/channels/${channel}/messages`, { body: { content: 'x', nonce: 'n'.repeat(26), enforce_nonce: true } })).rejects.toMatchObject({ code: 50035 });
    });
  });

  describe('rate limits and faults', () => {
    it('a burst of 20 webhook sends through one REST draws zero 429s; a client ignoring the headers gets 429s', async () => {
      await start({ webhooks: [{ name: 'discord.js' }, { name: 'raw' }], rateLimits: { webhook: { limit: 5, windowMs: 250 } } });
      const webhook = fake.webhooks[0]!;
      const r = rest();
      await Promise.all(Array.from({ length: 20 }, (_, i) => r.post(`/webhooks/${webhook.id}/${webhook.token}`, { auth: false, body: { content: `#${i}` }, query: new URLSearchParams({ wait: 'true' }) })));
      expect(fake.webhookMessages()).toHaveLength(20);
      expect(fake.count429()).toBe(0);
      expect(fake.bucket(`webhook:${webhook.id}`)).toMatchObject({ accepted: 20, limited: 0 });
      expect(fake.bucket(`webhook:${webhook.id}`)!.maxAttemptsInWindow).toBeLessThanOrEqual(5);

      // Raw client, all at once, no looking at headers (another webhook: its own bucket).
      const raw = fake.webhooks[1]!;
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => fetch(`${fake.apiBase}/v10/webhooks/${raw.id}/${raw.token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"content":"raw"}' })),
      );
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(fake.count429()).toBe(limited.length);
      const sample = limited[0]!;
      expect(Number(sample.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(sample.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(sample.headers.get('x-ratelimit-scope')).toBe('user');
      expect(sample.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
      expect(await sample.json()).toEqual({ message: 'You are being rate limited.', retry_after: expect.any(Number), global: false });
      const ok = answers.find((a) => a.status === 204)!;
      expect(ok.headers.get('x-ratelimit-bucket')).toBe(sample.headers.get('x-ratelimit-bucket'));
      expect(ok.headers.get('x-ratelimit-limit')).toBe('5');
    });

    it('bot channel messages are limited per channel, and discord.js keeps within the limit', async () => {
      await start({ rateLimits: { channelMessages: { limit: 2, windowMs: 200 } } });
      const r = rest();
      const channel = fake.channels[0]!.id;
      for (let i = 0; i < 5; i++) await r.post(`/channels/${channel}/messages`, { body: { content: `${i}` } });
      expect(fake.count429()).toBe(0);
      expect(fake.bucket(`channel:${channel}`)).toMatchObject({ limit: 2, accepted: 5, limited: 0 });
      expect(fake.bucket(`channel:${channel}`)!.maxAttemptsInWindow).toBeLessThanOrEqual(2);
    });

    it('5xx: discord.js retries at once and succeeds, or gives up with HTTPError after its retries', async () => {
      await start();
      const r = rest();
      const channel = fake.channels[0]!.id;
      fake.fail({ method: 'POST', path: /\/messages$/, status: 502, times: 2 });
      await r.post(`/channels/${channel}/messages`, { body: { content: 'after 502s' } });
      expect(fake.requests.map((q) => q.status)).toEqual([502, 502, 200]);

      const handle = fake.fail({ path: /\/messages$/, status: 500, times: 4 });
      const error = await r.post(`/channels/${channel}/messages`, { body: { content: 'x' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HTTPError);
      expect(error).toMatchObject({ status: 500 });
      expect(handle).toMatchObject({ served: 4, remaining: 0 });
    });

    it('429s scripted with headers are waited out; rejectOnRateLimit surfaces them at once', async () => {
      await start();
      const channel = fake.channels[0]!.id;
      const events: unknown[] = [];
      const r = rest();
      r.on('rateLimited', (info) => events.push(info));
      fake.fail({ path: /\/messages$/, status: 429, retryAfterMs: 100 });
      await r.post(`/channels/${channel}/messages`, { body: { content: 'after 429' } });
      expect(fake.requests.map((q) => q.status)).toEqual([429, 200]);

      fake.fail({ path: /\/messages$/, status: 429, retryAfterMs: 2000, global: true });
      const strict = rest({ rejectOnRateLimit: ['/channels'] });
      const error = await strict.post(`/channels/${channel}/messages`, { body: { content: 'x' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).global).toBe(true);
      expect(fake.count429(/\/messages$/)).toBe(2);
    });

    it('outage window: every request gets 503 until it ends', async () => {
      await start();
      const r = rest({ retries: 0 });
      const outage = fake.outage({ status: 503, durationMs: 150 });
      await expect(r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'x' } })).rejects.toMatchObject({ status: 503 });
      await waitFor(() => !outage.active, { what: 'outage over' });
      await r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'back' } });
      expect(fake.messages.map((m) => m.content)).toEqual(['back']);
    });

    it('hang: no answer until the client times out; drop: the connection is cut', async () => {
      await start();
      const r = rest({ retries: 0, timeout: 150 });
      fake.fail({ path: /\/messages$/, hang: true });
      await expect(r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'x' } })).rejects.toMatchObject({ name: 'AbortError' });
      fake.fail({ path: /\/messages$/, drop: true });
      await expect(r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'x' } })).rejects.toThrow(/other side closed|socket/i);
      expect(fake.requests.map((q) => q.fault)).toEqual(['hang', 'drop']);
      expect(fake.messages).toHaveLength(0);
    });

    it('records requests with decoded paths, query, headers and body', async () => {
      await start();
      const r = rest();
      await r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'hello', allowed_mentions: { parse: [] } } });
      const [request] = fake.requests;
      expect(request).toMatchObject({ method: 'POST', path: `/api/v10/channels/${fake.channels[0]!.id}/messages`, status: 200, body: { content: 'hello', allowed_mentions: { parse: [] } } });
      expect(request!.headers['user-agent']).toMatch(/DiscordBot/);
      expect(request!.respondedAt).toBeGreaterThanOrEqual(request!.at);

      // Files arrive as multipart (payload_json + files[n]), as discord.js sends them.
      const withFile = (await r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'chart' }, files: [{ name: 'pnl.csv', data: Buffer.from('a,b\n1,2\n'), contentType: 'text/csv' }] })) as { attachments: Array<{ filename: string; size: number }> };
      expect(withFile.attachments).toEqual([expect.objectContaining({ filename: 'pnl.csv', size: 8 })]);
      expect(fake.requests[1]).toMatchObject({ body: { content: 'chart' }, files: [{ field: 'files[0]', filename: 'pnl.csv', contentType: 'text/csv', size: 8 }] });
    });
  });
});
