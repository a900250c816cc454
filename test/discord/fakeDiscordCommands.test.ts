/**
 * The fake Discord's command-bot features (autocomplete, subcommands and option checks, buttons,
 * attachments, DMs, bots and webhooks, gateway outages, reply timing), each driven by the REAL
 * discord.js Client, as the product's commands bot will meet them.
 */
import { deflateSync } from 'node:zlib';
import { REST } from '@discordjs/rest';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  Partials,
  type ChatInputCommandInteraction,
  type ClientOptions,
  type Interaction,
  type GuildMember,
  type Message,
} from 'discord.js';
import { FakeDiscord, type FakeDiscordOptions } from '../support/fakeDiscord';
import { waitFor } from '../support/waitFor';

const GUILD_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent];
const noIdentifyWait = { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }) };

const TRADER = {
  name: 'trader',
  description: 'Control the trader',
  options: [
    {
      type: 1,
      name: 'status',
      description: 'Status',
      options: [
        { type: 4, name: 'hours', description: 'Window', min_value: 1, max_value: 48 },
        { type: 3, name: 'symbol', description: 'Symbol', autocomplete: true, max_length: 12 },
      ],
    },
    {
      type: 2,
      name: 'risk',
      description: 'Risk settings',
      options: [
        {
          type: 1,
          name: 'set',
          description: 'Set a limit',
          options: [
            { type: 3, name: 'mode', description: 'Mode', required: true, choices: [{ name: 'Safe', value: 'safe' }, { name: 'Bold', value: 'bold' }] },
            { type: 10, name: 'limit', description: 'Limit', min_value: 0, max_value: 1 },
            { type: 6, name: 'who', description: 'Who' },
            { type: 8, name: 'role', description: 'Role' },
            { type: 5, name: 'dry', description: 'Dry run' },
          ],
        },
      ],
    },
  ],
};

/** A 2×1 PNG, built by hand (signature, IHDR, IDAT, IEND) so the test can decode what the bot sent. */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer): number => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const pixels = Buffer.from([0, 255, 0, 0, 0, 0, 255]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

describe('FakeDiscord for a commands bot (real discord.js)', () => {
  let fake: FakeDiscord;
  const clients: Client[] = [];
  const rests: REST[] = [];

  async function start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    fake = await FakeDiscord.start(options);
    return fake;
  }

  async function readyClient(intents: GatewayIntentBits[] = GUILD_INTENTS, options: Partial<ClientOptions> = {}): Promise<Client> {
    const client = new Client({ intents, rest: { api: fake.apiBase, timeout: 2000 }, ...options });
    clients.push(client);
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.botToken);
    await ready;
    return client;
  }

  function rest(): REST {
    const r = new REST({ api: fake.apiBase, timeout: 2000 }).setToken(fake.botToken);
    rests.push(r);
    return r;
  }

  const nextInteraction = <T extends Interaction>(client: Client, accept: (i: Interaction) => boolean = () => true): Promise<T> =>
    new Promise((resolve) => {
      const listener = (i: Interaction): void => {
        if (!accept(i)) return;
        client.off(Events.InteractionCreate, listener);
        resolve(i as T);
      };
      client.on(Events.InteractionCreate, listener);
    });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.destroy();
    for (const r of rests.splice(0)) {
      r.clearHashSweeper();
      r.clearHandlerSweeper();
    }
    await fake?.stop();
  });

  describe('subcommands and option checks', () => {
    it('dispatches subcommands and groups the way discord.js reads them, with resolved users and roles', async () => {
      await start();
      const client = await readyClient();
      await client.application!.commands.set([TRADER], fake.guildId);

      const status = nextInteraction<ChatInputCommandInteraction>(client);
      fake.slash('trader status', { hours: 4, symbol: 'BTC' }, 'alice');
      const s = await status;
      expect(s.options.getSubcommand()).toBe('status');
      expect(s.options.getSubcommandGroup(false)).toBeNull();
      expect(s.options.getInteger('hours')).toBe(4);
      expect(s.options.getString('symbol')).toBe('BTC');
      expect(s.inGuild()).toBe(true);
      expect(s.memberPermissions?.has('SendMessages')).toBe(true);

      const risk = nextInteraction<ChatInputCommandInteraction>(client);
      const handle = fake.slash('trader risk set', { mode: 'bold', limit: 0.25, who: 'bob', role: 'ops', dry: true });
      const r = await risk;
      expect([r.options.getSubcommandGroup(), r.options.getSubcommand()]).toEqual(['risk', 'set']);
      expect(r.options.getString('mode')).toBe('bold');
      expect(r.options.getNumber('limit')).toBe(0.25);
      expect(r.options.getUser('who')?.username).toBe('bob');
      expect(r.options.getMember('who')).toBeTruthy();
      expect(r.options.getRole('role')?.name).toBe('ops');
      expect(r.options.getBoolean('dry')).toBe(true);
      expect(handle.payload.data).toMatchObject({ name: 'trader', options: [{ type: 2, name: 'risk', options: [{ type: 1, name: 'set' }] }], resolved: { users: { [fake.user('bob').id]: expect.any(Object) } } });

      // Discord's raw option list works too.
      const raw = nextInteraction<ChatInputCommandInteraction>(client);
      fake.slash('trader', [{ type: 1, name: 'status', options: [{ type: 4, name: 'hours', value: 2 }] }]);
      expect((await raw).options.getInteger('hours')).toBe(2);
    });

    it.each([
      ['an unknown option', 'trader status', { days: 3 }, /no option "days"/],
      ['an integer below min_value', 'trader status', { hours: 0 }, /within 1..48/],
      ['a fraction for an integer', 'trader status', { hours: 1.5 }, /integer/],
      ['a string over max_length', 'trader status', { symbol: 'X'.repeat(13) }, /0–12 characters/],
      ['a value outside the choices', 'trader risk set', { mode: 'yolo' }, /one of "safe", "bold"/],
      ['a missing required option', 'trader risk set', { limit: 0.5 }, /required option "mode"/],
      ['a number above max_value', 'trader risk set', { mode: 'safe', limit: 2 }, /within 0..1/],
      ['an unknown user', 'trader risk set', { mode: 'safe', who: 'mallory' }, /no such user/],
      ['a string for a boolean', 'trader risk set', { mode: 'safe', dry: 'yes' }, /boolean/],
      ['no subcommand', 'trader', {}, /subcommand must be chosen/],
      ['a group without its subcommand', 'trader risk', {}, /subcommand must be chosen/],
      ['an unknown subcommand', 'trader stop', {}, /no subcommand or group "stop"/],
    ])('throws in the test, dispatching nothing, for %s', async (_what, name, options, message) => {
      await start();
      await rest().put(`/applications/${fake.applicationId}/guilds/${fake.guildId}/commands`, { body: [TRADER] });
      expect(() => fake.slash(name, options)).toThrow(message);
      expect(fake.interactions).toHaveLength(0);
      expect(fake.gatewayFrames.filter((f) => f.t === 'INTERACTION_CREATE')).toHaveLength(0);
    });
  });

  describe('autocomplete', () => {
    it('the bot answers with choices; they are checked and recorded, and only callback 8 is accepted', async () => {
      await start();
      const client = await readyClient();
      await client.application!.commands.set([TRADER]);
      client.on(Events.InteractionCreate, (i) => {
        if (!i.isAutocomplete()) return;
        const typed = i.options.getFocused();
        void i.respond(['BTC', 'BNB', 'ETH'].filter((s) => s.startsWith(typed.toUpperCase())).map((s) => ({ name: s, value: s })));
      });
      const handle = fake.autocomplete('trader status', [{ type: 4, name: 'hours', value: 4 }, { type: 3, name: 'symbol', value: 'b', focused: true }], 'bob');
      expect(await fake.waitForChoices(handle)).toEqual([{ name: 'BTC', value: 'BTC' }, { name: 'BNB', value: 'BNB' }]);
      expect(handle).toMatchObject({ type: 4, focused: { name: 'symbol', value: 'b' }, callbacks: [{ type: 8 }] });
      expect(handle.respondedAt! - handle.createdAt).toBeGreaterThanOrEqual(0);

      // Wrong answers, as Discord refuses them.
      const r = rest();
      const answer = (body: unknown) => {
        const i = fake.autocomplete('trader', [{ type: 1, name: 'status', options: [{ type: 3, name: 'symbol', value: '', focused: true }] }]);
        return r.post(`/interactions/${i.id}/${i.token}/callback`, { auth: false, body });
      };
      client.removeAllListeners(Events.InteractionCreate);
      await expect(answer({ type: 4, data: { content: 'no' } })).rejects.toMatchObject({ status: 400, code: 50035 });
      await expect(answer({ type: 8, data: { choices: Array.from({ length: 26 }, (_, n) => ({ name: `s${n}`, value: `s${n}` })) } })).rejects.toMatchObject({ code: 50035, message: expect.stringContaining('data.choices[BASE_TYPE_MAX_LENGTH]') });
      await expect(answer({ type: 8, data: { choices: [{ name: '', value: 'x' }] } })).rejects.toMatchObject({ message: expect.stringContaining('data.choices[0].name') });
      await expect(answer({ type: 8, data: { choices: [{ name: 'x', value: 'v'.repeat(101) }] } })).rejects.toMatchObject({ message: expect.stringContaining('data.choices[0].value') });
      await expect(answer({ type: 8, data: { choices: [{ name: 'x', value: 3 }] } })).rejects.toMatchObject({ message: expect.stringContaining('data.choices[0].value') });
      await r.post(`/interactions/${fake.interactions.at(-1)!.id}/${fake.interactions.at(-1)!.token}/callback`, { auth: false, body: { type: 8, data: { choices: [] } } });
      expect(fake.interactions.at(-1)!.choices).toEqual([]);

      // Discord never sends autocomplete for an option without it, nor without a focused option.
      expect(() => fake.autocomplete('trader status', [{ type: 4, name: 'hours', value: '4', focused: true }])).toThrow(/does not have autocomplete/);
      expect(() => fake.autocomplete('trader status', [{ type: 3, name: 'symbol', value: 'b' }])).toThrow(/focused/);
    });

    it('an unanswered autocomplete expires after the response deadline like any interaction', async () => {
      await start({ interactionResponseDeadlineMs: 100 });
      await rest().put(`/applications/${fake.applicationId}/commands`, { body: [TRADER] });
      const i = fake.autocomplete('trader status', [{ type: 3, name: 'symbol', value: 'e', focused: true }]);
      await waitFor(() => Date.now() > i.createdAt + 150, { what: 'deadline passed' });
      await expect(rest().post(`/interactions/${i.id}/${i.token}/callback`, { auth: false, body: { type: 8, data: { choices: [] } } })).rejects.toMatchObject({ status: 404, code: 10062 });
    });
  });

  describe('buttons', () => {
    const confirmRow = (disabled = false) =>
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('confirm:stop').setLabel('Confirm').setStyle(ButtonStyle.Danger).setDisabled(disabled),
        new ButtonBuilder().setCustomId('cancel:stop').setLabel('Cancel').setStyle(ButtonStyle.Secondary).setDisabled(disabled),
        new ButtonBuilder().setURL('https://example.com/runbook').setLabel('Runbook').setStyle(ButtonStyle.Link),
      );

    it('a click dispatches a ButtonInteraction; update (7) edits the message the button is on', async () => {
      await start();
      const client = await readyClient();
      client.on(Events.InteractionCreate, (i) => {
        if (i.isChatInputCommand()) void i.reply({ content: 'Stop the trader?', components: [confirmRow()] });
        if (i.isButton() && i.customId === 'confirm:stop') void i.update({ content: `Stopped by ${i.user.username}`, components: [confirmRow(true)] });
      });
      const ask = fake.slash('stop');
      const prompt = await fake.waitForInteractionReply(ask);
      expect(prompt.components).toHaveLength(1);

      const click = fake.clickButton(prompt, 'confirm:stop', 'bob');
      const updated = await fake.waitForInteractionReply(click);
      expect(updated.id).toBe(prompt.id);
      expect(updated).toMatchObject({ content: 'Stopped by bob', edited_timestamp: expect.any(String) });
      expect(click).toMatchObject({ type: 3, customId: 'confirm:stop', callbacks: [{ type: 7 }] });
      expect(click.payload).toMatchObject({ type: 3, data: { custom_id: 'confirm:stop', component_type: 2 }, message: { id: prompt.id } });

      // Disabled now, a link, or absent: Discord's client would not send these clicks.
      expect(() => fake.clickButton(prompt, 'confirm:stop')).toThrow(/disabled/);
      expect(() => fake.clickButton(prompt, 'https://example.com/runbook')).toThrow(/no button/);
      expect(() => fake.clickButton(prompt, 'nope')).toThrow(/no button "nope"/);
    });

    it('deferUpdate (6) then editReply edits the message; reply (4) and followUp make new messages; 8 is refused', async () => {
      await start();
      const client = await readyClient();
      const r = rest();
      const posted = (await r.post(`/channels/${fake.channel('alerts').id}/messages`, { body: { content: 'Drawdown 9%', components: [confirmRow().toJSON()] } })) as { id: string };
      client.on(Events.InteractionCreate, (i) => {
        if (!i.isButton()) return;
        if (i.customId === 'confirm:stop') {
          void (async () => {
            await i.deferUpdate();
            await i.editReply({ content: 'Stopping…', components: [] });
            await i.followUp({ content: 'Stopped.' });
          })();
        } else void i.reply({ content: 'Cancelled' });
      });
      const deferred = fake.clickButton(posted.id, 'confirm:stop');
      const edited = await fake.waitForInteractionReply(deferred);
      expect(edited).toMatchObject({ id: posted.id, content: 'Stopping…', components: [] });
      await waitFor(() => deferred.followups.length === 1, { what: 'follow-up' });
      expect(deferred.callbacks.map((c) => c.type)).toEqual([6]);
      expect(deferred.respondedAt).toBeGreaterThanOrEqual(deferred.callbacks[0]!.at);

      const other = (await r.post(`/channels/${fake.channel('alerts').id}/messages`, { body: { content: 'again', components: [confirmRow().toJSON()] } })) as { id: string };
      const cancel = fake.clickButton(other.id, 'cancel:stop');
      const reply = await fake.waitForInteractionReply(cancel);
      expect(reply.id).not.toBe(other.id);
      expect(reply.content).toBe('Cancelled');
      client.removeAllListeners(Events.InteractionCreate);
      const late = fake.clickButton(other.id, 'confirm:stop');
      await expect(r.post(`/interactions/${late.id}/${late.token}/callback`, { auth: false, body: { type: 8, data: { choices: [] } } })).rejects.toMatchObject({ status: 400, code: 50035 });
    });

    it.each([
      ['six action rows', Array.from({ length: 6 }, (_, n) => ({ type: 1, components: [{ type: 2, style: 1, label: 'b', custom_id: `r${n}` }] })), 'components[BASE_TYPE_MAX_LENGTH]'],
      ['six buttons in a row', [{ type: 1, components: Array.from({ length: 6 }, (_, n) => ({ type: 2, style: 1, label: 'b', custom_id: `b${n}` })) }], 'components[0].components[BASE_TYPE_BAD_LENGTH]'],
      ['a custom_id over 100', [{ type: 1, components: [{ type: 2, style: 1, label: 'b', custom_id: 'x'.repeat(101) }] }], 'components[0].components[0].custom_id'],
      ['a duplicated custom_id', [{ type: 1, components: [{ type: 2, style: 1, label: 'a', custom_id: 'same' }] }, { type: 1, components: [{ type: 2, style: 2, label: 'b', custom_id: 'same' }] }], 'components[1].components[0].custom_id[COMPONENT_CUSTOM_ID_DUPLICATED]'],
      ['a link button without url', [{ type: 1, components: [{ type: 2, style: 5, label: 'go' }] }], 'components[0].components[0].url'],
      ['a link button with a custom_id', [{ type: 1, components: [{ type: 2, style: 5, label: 'go', url: 'https://x.test', custom_id: 'go' }] }], 'components[0].components[0].custom_id'],
      ['a label over 80', [{ type: 1, components: [{ type: 2, style: 1, label: 'l'.repeat(81), custom_id: 'a' }] }], 'components[0].components[0].label'],
      ['style 7', [{ type: 1, components: [{ type: 2, style: 7, label: 'l', custom_id: 'a' }] }], 'components[0].components[0].style'],
      ['a button outside an action row', [{ type: 2, style: 1, label: 'l', custom_id: 'a' }], 'components[0].type'],
    ])('refuses a message with %s (400 50035)', async (_what, components, where) => {
      await start();
      await expect(rest().post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'x', components } })).rejects.toMatchObject({ status: 400, code: 50035, message: expect.stringContaining(where) });
      expect(fake.messages).toHaveLength(0);
    });

    it('a plain webhook drops components unless with_components=true, and never sends interactive ones', async () => {
      await start();
      const w = fake.webhooks[0]!;
      const r = rest();
      const send = (components: unknown[], withComponents: boolean) =>
        r.post(`/webhooks/${w.id}/${w.token}`, { auth: false, body: { content: 'x', components }, query: new URLSearchParams({ wait: 'true', ...(withComponents ? { with_components: 'true' } : {}) }) }) as Promise<{ components: unknown[] }>;
      const link = [{ type: 1, components: [{ type: 2, style: 5, label: 'Runbook', url: 'https://x.test' }] }];
      expect((await send(link, false)).components).toEqual([]);
      expect((await send(link, true)).components).toEqual(link);
      await expect(send([confirmRow().toJSON()], true)).rejects.toMatchObject({ status: 400, code: 50035 });
    });
  });

  describe('attachments', () => {
    it('deferReply + editReply with a PNG: the file is kept with the message, decodable, and served by the fake', async () => {
      await start();
      const client = await readyClient();
      const png = tinyPng();
      client.on(Events.InteractionCreate, (i) => {
        if (!i.isChatInputCommand()) return;
        void (async () => {
          await i.deferReply();
          await i.editReply({ content: 'PnL', files: [new AttachmentBuilder(png, { name: 'pnl.png' })] });
        })();
      });
      const chart = fake.slash('chart');
      const reply = await fake.waitForInteractionReply(chart);
      expect(reply.attachments).toEqual([expect.objectContaining({ filename: 'pnl.png', size: png.length, content_type: 'image/png', width: 2, height: 1 })]);
      expect(reply.files?.[0]?.data.equals(png)).toBe(true);
      expect(reply.files![0]!.data.subarray(1, 4).toString('latin1')).toBe('PNG');
      const request = await fake.waitForRequest((q) => q.method === 'PATCH');
      expect(request.files).toEqual([expect.objectContaining({ field: 'files[0]', filename: 'pnl.png', contentType: 'image/png' })]);
      expect(request.body).toMatchObject({ attachments: [{ id: '0' }] });
      const served = await fetch(String(reply.attachments[0]!.url));
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
      expect(chart.respondedAt! - chart.createdAt).toBeGreaterThanOrEqual(chart.callbacks[0]!.at - chart.createdAt);
    });

    it('reply (4) and update (7) carry files; a file over attachment_size_limit is 413; attachments must name uploads', async () => {
      await start({ attachmentSizeLimit: 1024 });
      const client = await readyClient();
      const errors: unknown[] = [];
      client.on(Events.InteractionCreate, (i) => {
        if (i.isChatInputCommand() && i.commandName === 'csv') void i.reply({ files: [{ attachment: Buffer.from('a,b\n1,2\n'), name: 'pnl.csv' }], components: [new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('more').setLabel('More').setStyle(ButtonStyle.Primary))] });
        if (i.isChatInputCommand() && i.commandName === 'big') i.reply({ files: [{ attachment: Buffer.alloc(2048), name: 'big.bin' }] }).catch((e: unknown) => errors.push(e));
        if (i.isButton()) void i.update({ files: [{ attachment: Buffer.from('x'), name: 'more.txt' }] });
      });
      const csv = fake.slash('csv');
      const first = await fake.waitForInteractionReply(csv);
      expect(first.attachments.map((a) => a.filename)).toEqual(['pnl.csv']);
      expect(csv.payload.attachment_size_limit).toBe(1024);
      const click = fake.clickButton(first, 'more');
      await fake.waitForInteractionReply(click);
      // discord.js lists only the new upload, so the old attachment goes (API v10 rules).
      expect(first.attachments.map((a) => a.filename)).toEqual(['more.txt']);
      expect(first.files!.map((f) => f.data.toString())).toEqual(['x']);

      fake.slash('big');
      await waitFor(() => errors.length === 1, { what: 'too large' });
      expect(errors[0]).toMatchObject({ status: 413, code: 40005 });

      const r = rest();
      await expect(r.post(`/channels/${fake.channels[0]!.id}/messages`, { body: { content: 'x', attachments: [{ id: '1' }] }, files: [{ name: 'a.txt', data: Buffer.from('a') }] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('attachments[0].id') });
    });
  });

  describe('direct messages', () => {
    it('a DM reaches a client with DirectMessages and Partials.Channel — content visible without MessageContent — and the bot replies', async () => {
      await start();
      const dmIntents = [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages];
      const withPartial = await readyClient(dmIntents, { partials: [Partials.Channel] });
      const withoutPartial = await readyClient(dmIntents);
      const guildOnly = await readyClient();
      const seen = { without: 0, guildOnly: 0 };
      withoutPartial.on(Events.MessageCreate, () => seen.without++);
      guildOnly.on(Events.MessageCreate, () => seen.guildOnly++);
      withPartial.on(Events.MessageCreate, (m: Message) => {
        if (m.author.bot) return;
        void m.reply(`you said ${m.content}`);
      });
      const sent = fake.userSaysInDm('!status', 'bob');
      const dm = fake.dmChannel('bob')!;
      await waitFor(() => fake.dmMessages('bob').length === 1, { what: 'DM reply' });
      expect(fake.dmMessages('bob')[0]).toMatchObject({ channel_id: dm.id, content: 'you said !status', message_reference: { message_id: sent.id } });
      expect(fake.dmMessages('bob')[0]!.message_reference).not.toHaveProperty('guild_id');
      const frame = fake.requests.find((q) => q.method === 'POST' && q.path.endsWith(`/channels/${dm.id}/messages`));
      expect(frame?.status).toBe(200);
      // Without Partials.Channel discord.js drops the DM (the channel is not cached); without DirectMessages it never comes.
      expect(seen).toEqual({ without: 0, guildOnly: 0 });
      expect(fake.gatewayFrames.filter((f) => f.direction === 'out' && f.t === 'MESSAGE_CREATE').length).toBe(4); // 2 DM clients × (user message + bot echo)
    });

    it('the bot opens a DM (POST /users/@me/channels) and sends; a slash command in a DM has user, no guild, context 1', async () => {
      await start();
      const client = await readyClient([GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages], { partials: [Partials.Channel] });
      const alice = await client.users.fetch(fake.user('alice').id);
      await alice.send('hello from barista');
      expect(fake.dmMessages('alice').map((m) => m.content)).toEqual(['hello from barista']);
      expect(fake.requests.some((q) => q.method === 'POST' && q.path === '/api/v10/users/@me/channels' && q.status === 200)).toBe(true);

      await client.application!.commands.set([TRADER, { name: 'guildonly', description: 'x', contexts: [0] }]);
      const got = nextInteraction<ChatInputCommandInteraction>(client);
      const handle = fake.slash('trader status', { hours: 2 }, 'alice', { dm: true });
      const i = await got;
      expect(i.inGuild()).toBe(false);
      expect(i.guildId).toBeNull();
      expect(i.user.username).toBe('alice');
      expect(i.member).toBeNull();
      expect(i.context).toBe(1);
      expect(handle.payload).toMatchObject({ context: 1, channel: { type: 1 }, user: { id: fake.user('alice').id } });
      expect(handle.payload).not.toHaveProperty('member');
      expect(handle.payload).not.toHaveProperty('guild_id');
      await i.reply('ok');
      expect(fake.dmMessages('alice').map((m) => m.content)).toEqual(['hello from barista', 'ok']);
      expect(() => fake.slash('guildonly', {}, 'alice', { dm: true })).toThrow(/not allowed in DMs/);
    });
  });

  describe('members, bots and webhooks', () => {
    it('roles ride on messages and interactions; runtime users, other bots and webhook messages arrive as Discord sends them', async () => {
      await start();
      const client = await readyClient();
      const messages: Message[] = [];
      client.on(Events.MessageCreate, (m) => messages.push(m));
      const carol = fake.addUser({ username: 'carol', roles: ['ops'] });
      const otherBot = fake.addUser({ username: 'otherbot', bot: true });
      fake.userSays('general', '!status', carol);
      fake.userSays('general', '!status', otherBot);
      const hook = fake.webhookSays('!status', { username: 'CI' });
      await waitFor(() => messages.length === 3, { what: 'three messages' });
      const [fromCarol, fromBot, fromHook] = messages as [Message, Message, Message];
      expect(fromCarol.member?.roles.cache.has(fake.roleId('ops'))).toBe(true);
      expect(fromCarol.author.bot).toBe(false);
      expect(fromBot.author.bot).toBe(true);
      expect(fromHook.webhookId).toBe(fake.webhooks[0]!.id);
      expect(fromHook.author.username).toBe('CI');
      expect(hook.webhook_id).toBe(fake.webhooks[0]!.id);

      const got = nextInteraction<ChatInputCommandInteraction>(client);
      fake.slash('status', {}, 'carol');
      const i = await got;
      expect((i.member as GuildMember).roles.cache.has(fake.roleId('ops'))).toBe(true);
      expect(fake.interactions.at(-1)!.payload.member).toMatchObject({ roles: [fake.roleId('ops')] });
    });
  });

  describe('gateway', () => {
    it('4014 when MessageContent is not allowed; allowing it at runtime lets a client in', async () => {
      await start({ allowPrivilegedIntents: false });
      const refused = new Client({ intents: GUILD_INTENTS, rest: { api: fake.apiBase, timeout: 2000 } });
      clients.push(refused);
      await expect(refused.login(fake.botToken)).rejects.toThrow(/intent/i);
      expect(fake.gatewayFrames.some((f) => f.direction === 'in' && f.op === 2)).toBe(true);
      // The fallback a product may take: log in without MessageContent.
      await readyClient([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
      fake.setAllowPrivilegedIntents(true);
      await readyClient();
      expect(fake.gatewayConnections).toBe(2);
    });

    it('gatewayDown: REST still works while the gateway refuses; gatewayUp: the client resumes and gets what it missed', async () => {
      await start();
      const client = await readyClient(GUILD_INTENTS, { ws: noIdentifyWait });
      const seen: string[] = [];
      client.on(Events.MessageCreate, (m) => seen.push(m.content));
      fake.gatewayDown();
      await waitFor(() => fake.gatewayConnections === 0, { what: 'gateway down' });
      await waitFor(() => fake.gatewayRefusedUpgrades > 0, { what: 'a refused reconnect' });
      const channel = await client.channels.fetch(fake.channels[0]!.id);
      if (!channel?.isSendable()) throw new Error('general is not sendable');
      await channel.send('REST during outage');
      expect(fake.botMessages().map((m) => m.content)).toEqual(['REST during outage']);
      fake.userSays('general', 'while down');
      fake.gatewayUp();
      await waitFor(() => fake.gatewayConnections === 1, { what: 'reconnected', timeoutMs: 15_000 });
      await waitFor(() => seen.includes('while down'), { what: 'missed message replayed' });
      expect(fake.gatewayFrames.filter((f) => f.direction === 'in' && f.op === 6).length).toBeGreaterThanOrEqual(1);
    }, 20_000);
  });

  describe('timing', () => {
    it('records createdAt, callback times and respondedAt; waitForInteractionReply waits through a defer', async () => {
      await start();
      const client = await readyClient();
      const releaseEdit: Array<() => void> = [];
      client.on(Events.InteractionCreate, (i) => {
        if (!i.isChatInputCommand()) return;
        void (async () => {
          await i.deferReply();
          await new Promise<void>((resolve) => releaseEdit.push(resolve));
          await i.editReply('done');
        })();
      });
      const handle = fake.slash('slow');
      const reply = fake.waitForInteractionReply(handle, 5000);
      await waitFor(() => handle.callbacks.length === 1 && releaseEdit.length === 1, { what: 'deferred' });
      expect(handle.respondedAt).toBeUndefined();
      expect(handle.original?.flags).toBe(1 << 7);
      releaseEdit[0]!();
      expect((await reply).content).toBe('done');
      expect(handle.callbacks[0]!.at).toBeGreaterThanOrEqual(handle.createdAt);
      expect(handle.respondedAt).toBeGreaterThanOrEqual(handle.callbacks[0]!.at);
      await expect(fake.waitForInteractionReply(fake.slash('never'), 50)).rejects.toThrow(/within 50 ms/);
    });
  });
});
