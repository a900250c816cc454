/**
 * The fake Discord's world: one application and its bot, one guild with channels, roles,
 * users and webhooks, and what happened in it (messages, interactions, commands).
 * REST routes change it; the gateway is told about every change as Discord would tell a bot.
 */
import { makeBotToken, makeInteractionToken, makeWebhookToken, nextSnowflake } from './discordIds';
import {
  ADMINISTRATOR,
  EVERYONE_PERMISSIONS,
  guildCreatePayload,
  memberPayload,
  slashOptions,
  userPayload,
  webhookAuthor,
  type FakeChannel,
  type FakeMessage,
  type FakeRole,
  type FakeUser,
  type FakeWebhook,
  type SlashOptionInput,
} from './discordPayloads';
import { INTENTS, type SessionView } from './FakeGateway';
import type { RecordedFile } from './readRequestBody';

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
  webhooks?: Array<{ id?: string; token?: string; channel?: string; name?: string }>;
  /** Discord refuses the interaction callback after this (404 10062). Default 3000. */
  interactionResponseDeadlineMs?: number;
  /** How long a bot message nonce is remembered for `enforce_nonce` (Discord: "a few minutes"). Default 5 min. */
  nonceWindowMs?: number;
}

export interface FakeInteraction {
  id: string;
  token: string;
  name: string;
  commandId: string;
  options: unknown[];
  user: FakeUser;
  channelId: string;
  createdAt: number;
  /** Every accepted callback (type 4 reply, 5 defer, 9 modal…). */
  callbacks: Array<{ type: number; data: unknown; at: number }>;
  acknowledged: boolean;
  /** The original response message (a reply, or the loading message of a deferral, then its edit). */
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
    this.users = (options.users ?? [{ username: 'alice', roles: ['ops'] }, { username: 'bob' }]).map((u) => ({
      id: u.id ?? nextSnowflake(),
      username: u.username,
      globalName: u.globalName ?? u.username,
      bot: u.bot ?? false,
      roles: (u.roles ?? []).map((r) => this.role(r).id),
    }));
    const defaultChannel = this.channels[Math.min(1, this.channels.length - 1)]!;
    this.webhooks = (options.webhooks ?? [{ name: 'Barista' }]).map((w) => ({
      id: w.id ?? nextSnowflake(),
      token: w.token ?? makeWebhookToken(),
      channelId: w.channel ? this.channel(w.channel).id : defaultChannel.id,
      name: w.name ?? 'Barista',
    }));
    this.interactionResponseDeadlineMs = options.interactionResponseDeadlineMs ?? 3000;
    this.nonceWindowMs = options.nonceWindowMs ?? 5 * 60_000;
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

  /** Creates a message from a validated body and tells the gateway (MESSAGE_CREATE), as Discord does. */
  createMessage(input: { channelId: string; author: Record<string, unknown>; body: Record<string, unknown>; files?: RecordedFile[]; webhookId?: string; type?: number; extra?: Record<string, unknown> }): FakeMessage {
    const { body } = input;
    const message: FakeMessage = {
      id: nextSnowflake(),
      type: input.type ?? (body.message_reference ? 19 : 0),
      channel_id: input.channelId,
      author: input.author,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: normalizeEmbeds(body.embeds),
      attachments: (input.files ?? []).map((f) => ({ id: nextSnowflake(), filename: f.filename, size: f.size, content_type: f.contentType, url: `https://cdn.discordapp.com/attachments/${input.channelId}/${nextSnowflake()}/${f.filename}`, proxy_url: '' })),
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
      ...(body.message_reference ? { message_reference: { type: 0, channel_id: input.channelId, guild_id: this.guildId, ...(body.message_reference as object) } } : {}),
      ...input.extra,
    };
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
    if (files.length) message.attachments = files.map((f) => ({ id: nextSnowflake(), filename: f.filename, size: f.size, content_type: f.contentType, url: '', proxy_url: '' }));
    message.edited_timestamp = new Date().toISOString();
    this.announce('MESSAGE_UPDATE', message);
    return message;
  }

  deleteMessage(message: FakeMessage): void {
    const at = this.messages.indexOf(message);
    if (at >= 0) this.messages.splice(at, 1);
    message.deleted = true;
    this.dispatch('MESSAGE_DELETE', (s) => ((s.intents & INTENTS.GuildMessages) !== 0 ? { id: message.id, channel_id: message.channel_id, guild_id: this.guildId } : null));
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
    const channel = this.channel(channelIdOrName);
    const user = this.user(userRef);
    const message: FakeMessage = {
      id: nextSnowflake(),
      type: 0,
      channel_id: channel.id,
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

  webhookAuthor(webhook: FakeWebhook, username: unknown): Record<string, unknown> {
    return webhookAuthor(webhook, typeof username === 'string' ? username : undefined);
  }

  botAuthor(): Record<string, unknown> {
    return userPayload(this.botUser);
  }

  // ---- interactions ----

  slash(name: string, options: SlashOptionInput | unknown[] = {}, userRef?: string | FakeUser, channelRef?: string): FakeInteraction {
    const user = this.user(userRef);
    const channel = channelRef ? this.channel(channelRef) : this.channels[0]!;
    const command = [...(this.commands.get(this.guildId) ?? []), ...(this.commands.get('global') ?? [])].find((c) => c.name === name && c.type === 1);
    const id = nextSnowflake();
    const token = makeInteractionToken(id);
    const commandId = command?.id ?? nextSnowflake();
    const optionList = slashOptions(options, command?.options);
    const permissions = this.permissionsOf(user);
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type: 2,
      token,
      version: 1,
      guild_id: this.guildId,
      channel_id: channel.id,
      channel: { id: channel.id, type: 0, guild_id: this.guildId, name: channel.name, position: this.channels.indexOf(channel), permission_overwrites: [], nsfw: false, parent_id: null, topic: null, last_message_id: null, rate_limit_per_user: 0, flags: 0 },
      guild: { id: this.guildId, locale: 'en-US', features: [] },
      data: { id: commandId, name, type: 1, options: optionList, ...(command?.guild_id ? { guild_id: command.guild_id } : {}) },
      member: { ...memberPayload(user, this.joinedAt), permissions },
      app_permissions: EVERYONE_PERMISSIONS,
      locale: 'en-US',
      guild_locale: 'en-US',
      context: 0,
      attachment_size_limit: 10 * 1024 * 1024,
      // discord.js throws (uncaught) without these two.
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
    };
    const interaction: FakeInteraction = { id, token, name, commandId, options: optionList, user, channelId: channel.id, createdAt: Date.now(), callbacks: [], acknowledged: false, original: null, followups: [], payload };
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

  /** MESSAGE_CREATE / UPDATE with Discord's intent rules: GuildMessages to get them, MessageContent to see their content. */
  private announce(t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', message: FakeMessage, user?: FakeUser): void {
    if ((message.flags & EPHEMERAL) !== 0) return;
    const mentionsBot = message.content.includes(`<@${this.botUser.id}>`) || message.content.includes(`<@!${this.botUser.id}>`);
    const ownMessage = message.author.id === this.botUser.id;
    this.dispatch(t, (session) => {
      if ((session.intents & INTENTS.GuildMessages) === 0) return null;
      const payload: Record<string, unknown> = { ...message, guild_id: this.guildId, ...(user ? { member: memberPayload(user, this.joinedAt, false) } : {}) };
      if ((session.intents & INTENTS.MessageContent) === 0 && !ownMessage && !mentionsBot) {
        Object.assign(payload, { content: '', embeds: [], attachments: [], components: [] });
      }
      return payload;
    });
  }
}

/** Discord stores embeds as "rich" embeds. */
function normalizeEmbeds(embeds: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(embeds)) return [];
  return embeds.map((e) => ({ type: 'rich', ...(e as Record<string, unknown>) }));
}
