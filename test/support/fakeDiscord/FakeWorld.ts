/**
 * The fake Discord's world: one application and its bot, one guild with channels, roles,
 * users and webhooks, and what happened in it (messages, interactions, commands).
 * REST routes change it; the gateway is told about every change as Discord would tell a bot.
 */
import { makeBotToken, makeInteractionToken, makeWebhookToken, nextSnowflake } from './discordIds';
import { buildOptions, type DeclaredOption, type SlashOptionInput } from './commandOptions';
import {
  ADMINISTRATOR,
  channelPayload,
  dmChannelPayload,
  EVERYONE_PERMISSIONS,
  guildCreatePayload,
  memberPayload,
  rolePayload,
  userPayload,
  webhookAuthor,
  type FakeChannel,
  type FakeDmChannel,
  type FakeFile,
  type FakeMessage,
  type FakeRole,
  type FakeUser,
  type FakeWebhook,
} from './discordPayloads';
import { messageButtons } from './validateComponents';
import { INTENTS, type SessionView } from './FakeGateway';
import type { RecordedFile } from './readRequestBody';

export interface WebhookSpec {
  id?: string;
  token?: string;
  channel?: string;
  name?: string;
}

export interface FakeDiscordWorldOptions {
  /** Default: a real-looking token for the bot user. */
  botToken?: string;
  /** Application id = the bot user's id (as for bots created since 2017). Default: a fresh snowflake. */
  applicationId?: string;
  botUsername?: string;
  guild?: { id?: string; name?: string };
  /** Default: general, trades, alerts. */
  channels?: Array<{ id?: string; name: string }>;
  /** Extra roles besides @everyone. Default: `ops`. */
  roles?: Array<{ id?: string; name: string; administrator?: boolean }>;
  /** Human (or other bot) members; `roles` by name or id. Default: alice (role ops), bob. */
  users?: Array<{ id?: string; username: string; globalName?: string; roles?: string[]; bot?: boolean }>;
  /** Default: one webhook "Barista" into the second channel (or the first). `channel` by name or id. */
  webhooks?: WebhookSpec[];
  /** Discord refuses the interaction callback after this (404 10062). Default 3000. */
  interactionResponseDeadlineMs?: number;
  /** How long a bot message nonce is remembered for `enforce_nonce` (Discord: "a few minutes"). Default 5 min. */
  nonceWindowMs?: number;
  /** Largest file a message may carry, in bytes (an interaction's `attachment_size_limit`). Default 10 MiB (Discord's for an unboosted guild). */
  attachmentSizeLimit?: number;
}

export interface AddUserSpec {
  id?: string;
  username: string;
  globalName?: string;
  /** Role names or ids. */
  roles?: string[];
  bot?: boolean;
}

/** Where an interaction happens: a guild channel (id or name; default the first) or the user's DM with the bot. */
export type InteractionPlace = string | { channel?: string; dm?: boolean };

export interface AutocompleteChoice {
  name: string;
  value: string | number;
}

export interface FakeInteraction {
  id: string;
  token: string;
  /** 2 application command, 3 message component (button), 4 autocomplete. */
  type: 2 | 3 | 4;
  /** The command's name (`trader`), or the clicked button's custom_id for a component. */
  name: string;
  commandId: string;
  options: unknown[];
  user: FakeUser;
  channelId: string;
  /** In the user's DM with the bot (no guild, `user` instead of `member`). */
  dm: boolean;
  /** Component: the button's custom_id and the message it is on. */
  customId?: string;
  message?: FakeMessage;
  /** Autocomplete: the focused option (its type decides the choices' value type). */
  focused?: { name: string; type: number; value: string };
  /** Autocomplete: the choices the bot answered (callback 8). */
  choices?: AutocompleteChoice[];
  /** Largest file a response may carry (the payload's `attachment_size_limit`). */
  attachmentSizeLimit: number;
  createdAt: number;
  /** Every accepted callback (4 reply, 5 defer, 6 deferred update, 7 update, 8 choices, 9 modal), with its time. */
  callbacks: Array<{ type: number; data: unknown; at: number }>;
  acknowledged: boolean;
  /**
   * When the user first saw an answer: the callback for 4 / 7 / 8; for 5 / 6 the first edit of
   * `@original` (or follow-up). Reply latency = `respondedAt - createdAt`.
   */
  respondedAt?: number;
  /**
   * The original response message: the reply (4), the loading message of a deferral (5) then its
   * edit; for a component after 6 / 7, the message the button is on.
   */
  original: FakeMessage | null;
  followups: FakeMessage[];
  /** The INTERACTION_CREATE payload as dispatched. */
  payload: Record<string, unknown>;
}

export interface FakeCommand {
  id: string;
  application_id: string;
  version: string;
  type: number;
  name: string;
  description: string;
  options?: Array<{ name: string; type: number }>;
  guild_id?: string;
  [key: string]: unknown;
}

type Dispatch = (t: string, build: (session: SessionView) => Record<string, unknown> | null) => void;

const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
/** Flags a sender may set on a new message: suppress embeds, suppress notifications, ephemeral, voice, components v2. */
const SENDABLE_FLAGS = (1 << 2) | (1 << 12) | EPHEMERAL | (1 << 13) | (1 << 15);
const bit = (n: number): bigint => 1n << BigInt(n);
/** Guessed app permissions in a bot DM: view channel, send, embed links, attach files, read history, external emojis, use app commands. */
const DM_PERMISSIONS = (bit(10) | bit(11) | bit(14) | bit(15) | bit(16) | bit(18) | bit(31)).toString();

export class FakeWorld {
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUser: FakeUser;
  readonly guildId: string;
  readonly guildName: string;
  readonly joinedAt = new Date().toISOString();
  readonly channels: FakeChannel[];
  readonly roles: FakeRole[];
  readonly users: FakeUser[];
  readonly webhooks: FakeWebhook[];
  readonly interactionResponseDeadlineMs: number;
  readonly nonceWindowMs: number;
  readonly attachmentSizeLimit: number;
  /** DM channels by user id (opened by the user writing, or the bot through POST /users/@me/channels). */
  readonly dmChannels = new Map<string, FakeDmChannel>();
  /** Where attachment URLs point (the fake's own host). */
  cdnBase = 'http://127.0.0.1';
  private readonly files = new Map<string, FakeFile>();

  /** Every message created through the API (bot, webhooks, interaction responses), in order. */
  readonly messages: FakeMessage[] = [];
  /** Messages typed by users (`userSays`). */
  readonly userMessages: FakeMessage[] = [];
  readonly interactions: FakeInteraction[] = [];
  /** Registered commands: key `global` or a guild id. */
  readonly commands = new Map<string, FakeCommand[]>();
  private readonly nonces = new Map<string, { messageId: string; at: number }>();
  private dispatch: Dispatch = () => undefined;

  constructor(options: FakeDiscordWorldOptions = {}) {
    this.applicationId = options.applicationId ?? nextSnowflake();
    this.botUser = { id: this.applicationId, username: options.botUsername ?? 'barista', globalName: null, bot: true, roles: [] };
    this.botToken = options.botToken ?? makeBotToken(this.applicationId);
    this.guildId = options.guild?.id ?? nextSnowflake();
    this.guildName = options.guild?.name ?? 'Cappuccino Desk';
    this.channels = (options.channels ?? [{ name: 'general' }, { name: 'trades' }, { name: 'alerts' }]).map((c) => ({ id: c.id ?? nextSnowflake(), name: c.name }));
    if (this.channels.length === 0) throw new Error('FakeDiscord needs at least one channel');
    this.roles = [
      { id: this.guildId, name: '@everyone', permissions: EVERYONE_PERMISSIONS },
      ...(options.roles ?? [{ name: 'ops' }]).map((r) => ({ id: r.id ?? nextSnowflake(), name: r.name, permissions: r.administrator ? ADMINISTRATOR : '0' })),
    ];
    this.users = (options.users ?? [{ username: 'alice', roles: ['ops'] }, { username: 'bob' }]).map((u) => this.toUser(u));
    const defaultChannel = this.channels[Math.min(1, this.channels.length - 1)]!;
    this.webhooks = (options.webhooks ?? [{ name: 'Barista' }]).map((w) => this.toWebhook(w, defaultChannel));
    this.interactionResponseDeadlineMs = options.interactionResponseDeadlineMs ?? 3000;
    this.nonceWindowMs = options.nonceWindowMs ?? 5 * 60_000;
    this.attachmentSizeLimit = options.attachmentSizeLimit ?? 10 * 1024 * 1024;
  }

  private toWebhook(w: WebhookSpec, defaultChannel: FakeChannel): FakeWebhook {
    return { id: w.id ?? nextSnowflake(), token: w.token ?? makeWebhookToken(), channelId: w.channel ? this.channel(w.channel).id : defaultChannel.id, name: w.name ?? 'Barista' };
  }

  /** A server admin creates a webhook (a new id and token). */
  createWebhook(spec: WebhookSpec = {}): FakeWebhook {
    const webhook = this.toWebhook(spec, this.channels[Math.min(1, this.channels.length - 1)]!);
    this.webhooks.push(webhook);
    return webhook;
  }

  /** A server admin deletes a webhook: executing it answers 404 Unknown Webhook from then on. */
  deleteWebhook(idOrName: string): void {
    const index = this.webhooks.findIndex((w) => w.id === idOrName || w.name === idOrName);
    if (index < 0) throw new Error(`FakeDiscord: no webhook ${idOrName}`);
    this.webhooks.splice(index, 1);
  }

  /** Channels where the bot lost Send Messages (a channel permission overwrite): posting there is 403 Missing Permissions. */
  readonly deniedChannels = new Set<string>();

  private toUser(u: AddUserSpec): FakeUser {
    return { id: u.id ?? nextSnowflake(), username: u.username, globalName: u.globalName ?? u.username, bot: u.bot ?? false, roles: (u.roles ?? []).map((r) => this.role(r).id) };
  }

  /** A new member joins: GUILD_MEMBER_ADD to sessions with the GuildMembers intent, as Discord sends it. */
  addUser(spec: AddUserSpec): FakeUser {
    if (this.users.some((u) => u.username === spec.username || (spec.id && u.id === spec.id))) throw new Error(`FakeDiscord: user ${spec.username} exists`);
    const user = this.toUser(spec);
    this.users.push(user);
    this.dispatch('GUILD_MEMBER_ADD', (s) => ((s.intents & INTENTS.GuildMembers) !== 0 ? { ...memberPayload(user, new Date().toISOString()), guild_id: this.guildId } : null));
    return user;
  }

  /** The user's DM channel with the bot, opened on first use (the same id afterwards, as on Discord). */
  openDm(user: FakeUser): FakeDmChannel {
    let channel = this.dmChannels.get(user.id);
    if (!channel) {
      channel = { id: nextSnowflake(), userId: user.id };
      this.dmChannels.set(user.id, channel);
    }
    return channel;
  }

  dmChannelById(id: string): FakeDmChannel | undefined {
    return [...this.dmChannels.values()].find((c) => c.id === id);
  }

  dmChannelPayload(channel: FakeDmChannel): Record<string, unknown> {
    return dmChannelPayload(channel, this.user(channel.userId));
  }

  findUser(idOrName: string): FakeUser | undefined {
    if (idOrName === this.botUser.id) return this.botUser;
    return this.users.find((u) => u.id === idOrName || u.username === idOrName);
  }

  attachDispatcher(dispatch: Dispatch): void {
    this.dispatch = dispatch;
  }

  channel(idOrName: string): FakeChannel {
    const found = this.findChannel(idOrName);
    if (!found) throw new Error(`FakeDiscord: no channel ${idOrName}`);
    return found;
  }

  findChannel(idOrName: string): FakeChannel | undefined {
    return this.channels.find((c) => c.id === idOrName || c.name === idOrName || `#${c.name}` === idOrName);
  }

  user(idOrName: string | FakeUser | undefined): FakeUser {
    if (idOrName && typeof idOrName === 'object') return idOrName;
    const found = idOrName === undefined ? this.users[0] : this.users.find((u) => u.id === idOrName || u.username === idOrName);
    if (!found) throw new Error(`FakeDiscord: no user ${String(idOrName)}`);
    return found;
  }

  findRole(idOrName: string): FakeRole | undefined {
    return this.roles.find((r) => r.id === idOrName || r.name === idOrName);
  }

  role(idOrName: string): FakeRole {
    const found = this.roles.find((r) => r.id === idOrName || r.name === idOrName);
    if (!found) throw new Error(`FakeDiscord: no role ${idOrName}`);
    return found;
  }

  // ---- gateway payloads ----

  readyData(): Record<string, unknown> {
    return {
      v: 10,
      user: { ...userPayload(this.botUser), verified: true, mfa_enabled: false, email: null },
      guilds: [{ id: this.guildId, unavailable: true }],
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      session_type: 'normal',
      auth: {},
      application: { id: this.applicationId, flags: 0, flags_new: '0' },
    };
  }

  guildCreates(session: SessionView): Array<Record<string, unknown>> {
    const [shardId, shardCount] = session.shard;
    if (Number((BigInt(this.guildId) >> 22n) % BigInt(shardCount)) !== shardId) return [];
    return [
      guildCreatePayload({
        guildId: this.guildId,
        guildName: this.guildName,
        ownerId: this.users[0]?.id ?? this.botUser.id,
        joinedAt: this.joinedAt,
        channels: this.channels,
        roles: this.roles,
        members: [this.botUser, ...this.users],
      }),
    ];
  }

  // ---- messages ----

  /** Is this a channel messages can go to: a guild channel or an opened DM? */
  isDm(channelId: string): boolean {
    return this.dmChannelById(channelId) !== undefined;
  }

  /** Creates a message from a validated body and tells the gateway (MESSAGE_CREATE), as Discord does. */
  createMessage(input: { channelId: string; author: Record<string, unknown>; body: Record<string, unknown>; files?: RecordedFile[]; webhookId?: string; type?: number; extra?: Record<string, unknown> }): FakeMessage {
    const { body } = input;
    const dm = this.isDm(input.channelId);
    const message: FakeMessage = {
      id: nextSnowflake(),
      type: input.type ?? (body.message_reference ? 19 : 0),
      channel_id: input.channelId,
      author: input.author,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: normalizeEmbeds(body.embeds),
      attachments: [],
      components: Array.isArray(body.components) ? body.components : [],
      flags: (typeof body.flags === 'number' ? body.flags : 0) & SENDABLE_FLAGS,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: body.tts === true,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      ...(body.nonce !== undefined && body.nonce !== null ? { nonce: body.nonce as string | number } : {}),
      ...(input.webhookId ? { webhook_id: input.webhookId } : {}),
      ...(body.message_reference ? { message_reference: { type: 0, channel_id: input.channelId, ...(dm ? {} : { guild_id: this.guildId }), ...(body.message_reference as object) } } : {}),
      ...input.extra,
    };
    this.setAttachments(message, [], body.attachments, input.files ?? []);
    this.messages.push(message);
    this.announce('MESSAGE_CREATE', message);
    return message;
  }

  editMessage(message: FakeMessage, body: Record<string, unknown>, files: RecordedFile[] = []): FakeMessage {
    if (body.content !== undefined) message.content = typeof body.content === 'string' ? body.content : '';
    if (body.embeds !== undefined) message.embeds = normalizeEmbeds(body.embeds);
    if (body.components !== undefined) message.components = Array.isArray(body.components) ? body.components : [];
    if (typeof body.flags === 'number') message.flags = (message.flags & EPHEMERAL) | (body.flags & SENDABLE_FLAGS);
    message.flags &= ~LOADING;
    if (body.attachments !== undefined || files.length > 0) this.setAttachments(message, message.files ?? [], body.attachments, files);
    message.edited_timestamp = new Date().toISOString();
    this.announce('MESSAGE_UPDATE', message);
    return message;
  }

  /**
   * API v10 attachment rules: `attachments` lists what the message keeps (existing ids) and what
   * the new uploads are (`id` = the index n of `files[n]`, with optional filename/description).
   * Without `attachments`, existing ones stay and every upload is added (a guess at Discord's
   * lenient case; discord.js always sends the list when it uploads).
   */
  private setAttachments(message: FakeMessage, existing: FakeFile[], listed: unknown, uploads: RecordedFile[]): void {
    const upload = (file: RecordedFile, meta: Record<string, unknown> = {}): FakeFile => {
      const stored: FakeFile = { id: nextSnowflake(), filename: typeof meta.filename === 'string' ? meta.filename : file.filename, size: file.size, data: file.data, ...(file.contentType ? { contentType: file.contentType } : {}) };
      this.files.set(stored.id, stored);
      return stored;
    };
    let kept: FakeFile[];
    if (Array.isArray(listed)) {
      kept = [];
      for (const entry of listed as Array<Record<string, unknown>>) {
        const id = String(entry?.id ?? '');
        const old = existing.find((f) => f.id === id);
        if (old) kept.push(old);
        else if (/^\d{1,2}$/.test(id) && uploads[Number(id)]) kept.push(upload(uploads[Number(id)]!, entry));
      }
    } else kept = [...existing, ...uploads.map((f) => upload(f))];
    Object.defineProperty(message, 'files', { value: kept, enumerable: false, writable: true, configurable: true });
    message.attachments = kept.map((f) => ({
      id: f.id,
      filename: f.filename,
      size: f.size,
      ...(f.contentType ? { content_type: f.contentType } : {}),
      url: `${this.cdnBase}/attachments/${message.channel_id}/${f.id}/${encodeURIComponent(f.filename)}`,
      proxy_url: `${this.cdnBase}/attachments/${message.channel_id}/${f.id}/${encodeURIComponent(f.filename)}`,
      ...(pngSize(f.data) ?? {}),
    }));
  }

  /** The bytes of an attachment (for the fake's CDN route). */
  file(attachmentId: string): FakeFile | undefined {
    return this.files.get(attachmentId);
  }

  deleteMessage(message: FakeMessage): void {
    const at = this.messages.indexOf(message);
    if (at >= 0) this.messages.splice(at, 1);
    message.deleted = true;
    const dm = this.isDm(message.channel_id);
    this.dispatch('MESSAGE_DELETE', (s) => ((s.intents & (dm ? INTENTS.DirectMessages : INTENTS.GuildMessages)) !== 0 ? { id: message.id, channel_id: message.channel_id, ...(dm ? {} : { guild_id: this.guildId }) } : null));
  }

  findMessage(channelId: string, messageId: string): FakeMessage | undefined {
    return this.messages.find((m) => m.channel_id === channelId && m.id === messageId);
  }

  /** The message a bot already created with this nonce in this channel within the nonce window. */
  messageForNonce(channelId: string, nonce: unknown, now = Date.now()): FakeMessage | undefined {
    const seen = this.nonces.get(`${channelId}:${String(nonce)}`);
    if (!seen || now - seen.at > this.nonceWindowMs) return undefined;
    return this.findMessage(channelId, seen.messageId);
  }

  rememberNonce(channelId: string, nonce: unknown, messageId: string): void {
    this.nonces.set(`${channelId}:${String(nonce)}`, { messageId, at: Date.now() });
  }

  userSays(channelIdOrName: string, content: string, userRef?: string | FakeUser): FakeMessage {
    return this.typed(this.channel(channelIdOrName).id, content, this.user(userRef));
  }

  /** The user writes to the bot in their DM (MESSAGE_CREATE without guild_id, `channel_type: 1`). */
  userSaysInDm(content: string, userRef?: string | FakeUser): FakeMessage {
    const user = this.user(userRef);
    return this.typed(this.openDm(user).id, content, user);
  }

  /** A message through a webhook (as if posted by another integration): `webhook_id`, a bot author, no member. */
  webhookSays(channelIdOrName: string | undefined, content: string, webhookRef?: string, username?: string): FakeMessage {
    const webhook = webhookRef ? this.webhooks.find((w) => w.id === webhookRef || w.name === webhookRef) : this.webhooks[0];
    if (!webhook) throw new Error(`FakeDiscord: no webhook ${String(webhookRef)}`);
    const channelId = channelIdOrName ? this.channel(channelIdOrName).id : webhook.channelId;
    return this.createMessage({ channelId, author: webhookAuthor(webhook, username), body: { content }, webhookId: webhook.id, type: 0 });
  }

  private typed(channelId: string, content: string, user: FakeUser): FakeMessage {
    const message: FakeMessage = {
      id: nextSnowflake(),
      type: 0,
      channel_id: channelId,
      author: userPayload(user),
      content,
      embeds: [],
      attachments: [],
      components: [],
      flags: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
    };
    this.userMessages.push(message);
    this.announce('MESSAGE_CREATE', message, user);
    return message;
  }

  /** A user's message delivered again (a gateway replay): the same MESSAGE_CREATE, same id. */
  redeliverMessage(message: FakeMessage): void {
    if (!this.userMessages.includes(message)) throw new Error('FakeDiscord: redeliverMessage takes a message a user typed (userSays)');
    this.announce('MESSAGE_CREATE', message, this.users.find((u) => u.id === message.author.id));
  }

  webhookAuthor(webhook: FakeWebhook, username: unknown): Record<string, unknown> {
    return webhookAuthor(webhook, typeof username === 'string' ? username : undefined);
  }

  botAuthor(): Record<string, unknown> {
    return userPayload(this.botUser);
  }

  // ---- interactions ----

  /** All registered commands that can be run here: guild ones then global ones in the guild; only global ones (allowing DMs) in a DM. */
  private commandFor(name: string, dm: boolean): FakeCommand | undefined {
    const global = (this.commands.get('global') ?? []).find((c) => c.name === name && c.type === 1);
    if (dm) {
      const guildOnly = (this.commands.get(this.guildId) ?? []).find((c) => c.name === name && c.type === 1);
      // Guild commands never show in DMs; a global one only when its contexts allow BOT_DM (1).
      if (!global && guildOnly) throw new Error(`FakeDiscord: /${name} is a guild command; Discord does not offer it in DMs`);
      if (global && ((Array.isArray(global.contexts) && !global.contexts.includes(1)) || global.dm_permission === false)) throw new Error(`FakeDiscord: /${name} is not allowed in DMs (contexts)`);
      return global;
    }
    return (this.commands.get(this.guildId) ?? []).find((c) => c.name === name && c.type === 1) ?? global;
  }

  slash(name: string, options: SlashOptionInput | unknown[] = {}, userRef?: string | FakeUser, place?: InteractionPlace): FakeInteraction {
    return this.commandInteraction(2, name, options, userRef, place);
  }

  autocomplete(name: string, options: unknown[], userRef?: string | FakeUser, place?: InteractionPlace): FakeInteraction {
    return this.commandInteraction(4, name, options, userRef, place);
  }

  private commandInteraction(type: 2 | 4, fullName: string, options: SlashOptionInput | unknown[], userRef: string | FakeUser | undefined, place: InteractionPlace | undefined): FakeInteraction {
    const [name, ...path] = fullName.trim().split(/\s+/) as [string, ...string[]];
    const user = this.user(userRef);
    const where = this.place(place, user);
    const command = this.commandFor(name, where.dm);
    if (type === 4 && !command) throw new Error(`FakeDiscord: /${name} is not registered; Discord sends autocomplete only for a registered option with autocomplete`);
    const built = buildOptions(name, command ? ((command.options ?? []) as DeclaredOption[]) : undefined, path, options, type === 4 ? 'autocomplete' : 'invoke', {
      findUser: (ref) => this.findUser(ref),
      findRole: (ref) => (where.dm ? undefined : this.findRole(ref)),
      findChannel: (ref) => (where.dm ? undefined : this.findChannel(ref)),
    });
    const resolved = this.resolved(built.refs, where.dm);
    const data = { id: command?.id ?? nextSnowflake(), name, type: 1, options: built.options, ...(resolved ? { resolved } : {}), ...(command?.guild_id ? { guild_id: command.guild_id } : {}) };
    return this.interaction(type, user, where, data, { name, commandId: data.id, options: built.options, ...(built.focused ? { focused: built.focused } : {}) });
  }

  /** A user clicks a button on a message: INTERACTION_CREATE type 3. Throws for a button Discord's client would not let them click. */
  clickButton(messageRef: FakeMessage | string, customId: string, userRef?: string | FakeUser, options: { crafted?: boolean } = {}): FakeInteraction {
    const id = typeof messageRef === 'string' ? messageRef : messageRef.id;
    const message = this.messages.find((m) => m.id === id);
    if (!message || message.deleted) throw new Error(`FakeDiscord: no message ${id} to click on`);
    const button = messageButtons(message.components).find((b) => b.custom_id === customId);
    // crafted: a modified client sends whatever custom_id it likes, on any message it can see.
    if (!button && !options.crafted) throw new Error(`FakeDiscord: message ${id} has no button "${customId}" (it has ${messageButtons(message.components).map((b) => String(b.custom_id ?? b.url)).join(', ') || 'none'})`);
    if (button?.disabled === true && !options.crafted) throw new Error(`FakeDiscord: button "${customId}" is disabled`);
    const user = this.user(userRef);
    const dm = this.dmChannelById(message.channel_id);
    if (dm && dm.userId !== user.id) throw new Error(`FakeDiscord: ${user.username} cannot see a DM of another user`);
    const where = dm ? { dm: true as const, channelId: dm.id } : { dm: false as const, channelId: message.channel_id };
    const data = { custom_id: customId, component_type: 2 };
    return this.interaction(3, user, where, data, { name: customId, commandId: '', options: [], customId, message }, { message: { ...message, ...(dm ? {} : { guild_id: this.guildId }) } });
  }

  private place(place: InteractionPlace | undefined, user: FakeUser): { dm: boolean; channelId: string } {
    const spec = typeof place === 'string' ? { channel: place } : (place ?? {});
    if (spec.dm) return { dm: true, channelId: this.openDm(user).id };
    return { dm: false, channelId: spec.channel ? this.channel(spec.channel).id : this.channels[0]!.id };
  }

  private resolved(refs: { users: Set<string>; roles: Set<string>; channels: Set<string> }, dm: boolean): Record<string, unknown> | undefined {
    if (refs.users.size + refs.roles.size + refs.channels.size === 0) return undefined;
    const out: Record<string, Record<string, unknown>> = {};
    if (refs.users.size) {
      out.users = {};
      if (!dm) out.members = {};
      for (const id of refs.users) {
        const user = this.findUser(id)!;
        out.users[id] = userPayload(user);
        if (!dm) out.members![id] = { ...memberPayload(user, this.joinedAt, false), permissions: this.permissionsOf(user) };
      }
    }
    if (refs.roles.size) {
      out.roles = {};
      for (const id of refs.roles) out.roles[id] = rolePayload(this.role(id), this.roles.findIndex((r) => r.id === id));
    }
    if (refs.channels.size) {
      out.channels = {};
      for (const id of refs.channels) {
        const channel = this.channel(id);
        out.channels[id] = { id, name: channel.name, type: 0, permissions: EVERYONE_PERMISSIONS };
      }
    }
    return out;
  }

  private interaction(
    type: 2 | 3 | 4,
    user: FakeUser,
    where: { dm: boolean; channelId: string },
    data: Record<string, unknown>,
    record: Pick<FakeInteraction, 'name' | 'commandId' | 'options'> & Partial<FakeInteraction>,
    extra: Record<string, unknown> = {},
  ): FakeInteraction {
    const id = nextSnowflake();
    const token = makeInteractionToken(id);
    const attachmentSizeLimit = this.attachmentSizeLimit;
    let placePayload: Record<string, unknown>;
    if (where.dm) {
      const dm = this.dmChannelById(where.channelId)!;
      placePayload = {
        channel_id: dm.id,
        channel: this.dmChannelPayload(dm),
        user: userPayload(user),
        // Guessed: what an app may do in a bot DM (view, send, embed, attach, history, external emojis, app commands).
        app_permissions: DM_PERMISSIONS,
        context: 1,
        // A guild-installed app used in its bot's DM: GUILD_INSTALL maps to "0" (documented).
        authorizing_integration_owners: { '0': '0' },
      };
    } else {
      const channel = this.channel(where.channelId);
      placePayload = {
        guild_id: this.guildId,
        channel_id: channel.id,
        channel: channelPayload(channel, this.guildId, this.channels.indexOf(channel)),
        guild: { id: this.guildId, locale: 'en-US', features: [] },
        member: { ...memberPayload(user, this.joinedAt), permissions: this.permissionsOf(user) },
        app_permissions: EVERYONE_PERMISSIONS,
        guild_locale: 'en-US',
        context: 0,
        // discord.js throws (uncaught) without this and `entitlements`.
        authorizing_integration_owners: { '0': this.guildId },
      };
    }
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      ...placePayload,
      data,
      locale: 'en-US',
      attachment_size_limit: attachmentSizeLimit,
      entitlements: [],
      ...extra,
    };
    const interaction: FakeInteraction = { id, token, type, user, channelId: where.channelId, dm: where.dm, attachmentSizeLimit, createdAt: Date.now(), callbacks: [], acknowledged: false, original: null, followups: [], payload, ...record };
    this.interactions.push(interaction);
    this.dispatch('INTERACTION_CREATE', () => payload);
    return interaction;
  }

  interactionByToken(token: string): FakeInteraction | undefined {
    return this.interactions.find((i) => i.token === token);
  }

  // ---- commands ----

  commandScope(guildId?: string): string {
    return guildId ?? 'global';
  }

  /** Bulk overwrite: commands whose name already existed keep their id, as on Discord. */
  setCommands(scope: string, definitions: Array<Record<string, unknown>>): FakeCommand[] {
    const previous = this.commands.get(scope) ?? [];
    const commands = definitions.map((d) => this.toCommand(scope, d, previous.find((p) => p.name === d.name && p.type === (d.type ?? 1))?.id));
    this.commands.set(scope, commands);
    return commands;
  }

  addCommand(scope: string, definition: Record<string, unknown>): FakeCommand {
    const list = this.commands.get(scope) ?? [];
    const existing = list.find((p) => p.name === definition.name && p.type === (definition.type ?? 1));
    const command = this.toCommand(scope, definition, existing?.id);
    this.commands.set(scope, [...list.filter((c) => c !== existing), command]);
    return command;
  }

  private toCommand(scope: string, d: Record<string, unknown>, id?: string): FakeCommand {
    return {
      ...d,
      id: id ?? nextSnowflake(),
      application_id: this.applicationId,
      version: nextSnowflake(),
      type: typeof d.type === 'number' ? d.type : 1,
      name: String(d.name),
      description: typeof d.description === 'string' ? d.description : '',
      name_localizations: null,
      description_localizations: null,
      default_member_permissions: d.default_member_permissions ?? null,
      nsfw: false,
      integration_types: [0],
      contexts: d.contexts ?? null,
      ...(Array.isArray(d.options) ? { options: d.options as Array<{ name: string; type: number }> } : {}),
      ...(scope !== 'global' ? { guild_id: scope } : {}),
    };
  }

  private permissionsOf(user: FakeUser): string {
    let bits = BigInt(EVERYONE_PERMISSIONS);
    for (const roleId of user.roles) bits |= BigInt(this.role(roleId).permissions);
    return bits.toString();
  }

  /**
   * MESSAGE_CREATE / UPDATE with Discord's intent rules: GuildMessages (guild) or DirectMessages
   * (DM) to get them; MessageContent to see content/embeds/attachments/components, except in DMs,
   * in messages mentioning the bot and in the bot's own messages (documented exceptions).
   * `channel_type` is sent as Discord does: with 1 and no cached channel, discord.js drops the
   * message unless the client has `Partials.Channel` (Discord sends no CHANNEL_CREATE for DMs).
   */
  private announce(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: FakeMessage, user?: FakeUser): void {
    if ((message.flags & EPHEMERAL) !== 0) return;
    const dm = this.isDm(message.channel_id);
    const mentionsBot = message.content.includes(`<@${this.botUser.id}>`) || message.content.includes(`<@!${this.botUser.id}>`);
    const ownMessage = message.author.id === this.botUser.id;
    this.dispatch(t, (session) => {
      if ((session.intents & (dm ? INTENTS.DirectMessages : INTENTS.GuildMessages)) === 0) return null;
      const payload: Record<string, unknown> = dm
        ? { ...message, channel_type: 1 }
        : { ...message, guild_id: this.guildId, channel_type: 0, ...(user ? { member: memberPayload(user, this.joinedAt, false) } : {}) };
      if (!dm && (session.intents & INTENTS.MessageContent) === 0 && !ownMessage && !mentionsBot) {
        Object.assign(payload, { content: '', embeds: [], attachments: [], components: [] });
      }
      return payload;
    });
  }
}

/** Width and height Discord reports for an image attachment (PNG only, read from the IHDR chunk). */
function pngSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length < 24 || data.readUInt32BE(0) !== 0x89504e47 || data.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** Discord stores embeds as "rich" embeds. */
function normalizeEmbeds(embeds: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(embeds)) return [];
  return embeds.map((e) => ({ type: 'rich', ...(e as Record<string, unknown>) }));
}
