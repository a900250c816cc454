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
    roles: world.roles.map((role, position) => ({
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
    })),
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

export interface SlashOptionInput {
  [name: string]: string | number | boolean;
}

/** `{symbol: 'BTC', hours: 4}` → Discord's option list (string 3, integer 4, boolean 5, number 10), or a raw list as given. */
export function slashOptions(options: SlashOptionInput | unknown[], declared?: Array<{ name: string; type: number }>): unknown[] {
  if (Array.isArray(options)) return options;
  return Object.entries(options).map(([name, value]) => {
    const type = declared?.find((o) => o.name === name)?.type ?? (typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3);
    return { name, type, value };
  });
}
