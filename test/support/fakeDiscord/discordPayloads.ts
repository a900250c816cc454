/**
 * The JSON shapes the fake sends (users, members, channels, guild, messages, interactions),
 * with the fields discord.js reads. Pure builders over the fake's configured world.
 */

export interface FakeUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  /** Role ids in the guild. */
  roles: string[];
}

export interface FakeRole {
  id: string;
  name: string;
  /** Permission bits as a decimal string. */
  permissions: string;
}

export interface FakeChannel {
  id: string;
  name: string;
}

/** A DM channel (type 1) between the bot and one user. */
export interface FakeDmChannel {
  id: string;
  userId: string;
}

/** An uploaded file kept with its message: the bytes behind one attachment. */
export interface FakeFile {
  /** The attachment's id. */
  id: string;
  filename: string;
  contentType?: string;
  size: number;
  data: Buffer;
}

export interface FakeWebhook {
  id: string;
  token: string;
  /** The channel its messages land in. */
  channelId: string;
  name: string;
}

/** A message as Discord returns it (the fields discord.js reads; more may be present). */
export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: Record<string, unknown>;
  content: string;
  embeds: Array<Record<string, unknown>>;
  attachments: Array<Record<string, unknown>>;
  components: unknown[];
  flags: number;
  type: number;
  timestamp: string;
  edited_timestamp: string | null;
  nonce?: string | number;
  webhook_id?: string;
  message_reference?: Record<string, unknown>;
  /** The uploaded bytes behind `attachments` (not enumerable: never sent to clients). */
  files?: FakeFile[];
  [key: string]: unknown;
}

const bit = (n: number): bigint => 1n << BigInt(n);

/** What @everyone may do in the fake guild: read, write, embed, attach, history, slash commands. */
export const EVERYONE_PERMISSIONS = (bit(6) | bit(10) | bit(11) | bit(14) | bit(15) | bit(16) | bit(18) | bit(31) | bit(38)).toString();
export const ADMINISTRATOR = bit(3).toString();

export function userPayload(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    ...(user.bot ? { bot: true } : {}),
    public_flags: 0,
    flags: 0,
  };
}

export function memberPayload(user: FakeUser, joinedAt: string, withUser = true): Record<string, unknown> {
  return {
    ...(withUser ? { user: userPayload(user) } : {}),
    roles: user.roles,
    joined_at: joinedAt,
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    premium_since: null,
    pending: false,
    communication_disabled_until: null,
  };
}

export function channelPayload(channel: FakeChannel, guildId: string, position: number): Record<string, unknown> {
  return {
    id: channel.id,
    type: 0,
    guild_id: guildId,
    name: channel.name,
    position,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export interface GuildWorld {
  guildId: string;
  guildName: string;
  ownerId: string;
  joinedAt: string;
  channels: FakeChannel[];
  roles: FakeRole[];
  members: FakeUser[];
}

export function guildCreatePayload(world: GuildWorld): Record<string, unknown> {
  return {
    id: world.guildId,
    name: world.guildName,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: world.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    preferred_locale: 'en-US',
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    application_id: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    unavailable: false,
    large: false,
    lazy: true,
    joined_at: world.joinedAt,
    member_count: world.members.length,
    roles: world.roles.map((role, position) => rolePayload(role, position)),
    channels: world.channels.map((channel, i) => {
      const { guild_id: _unused, ...rest } = channelPayload(channel, world.guildId, i);
      return rest;
    }),
    members: world.members.map((user) => memberPayload(user, world.joinedAt)),
    emojis: [],
    stickers: [],
    features: [],
    threads: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
  };
}

/** The author Discord shows for a webhook's message. */
export function webhookAuthor(webhook: FakeWebhook, username?: string): Record<string, unknown> {
  return { id: webhook.id, username: username ?? webhook.name, discriminator: '0000', avatar: null, bot: true, global_name: null, public_flags: 0, flags: 0 };
}

export function dmChannelPayload(channel: FakeDmChannel, user: FakeUser): Record<string, unknown> {
  return { id: channel.id, type: 1, last_message_id: null, flags: 0, recipients: [userPayload(user)] };
}

export function rolePayload(role: FakeRole, position: number): Record<string, unknown> {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions,
    position,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    managed: false,
    mentionable: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
  };
}
