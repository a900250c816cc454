/**
 * One command as barista sees it, whichever way it came: a slash interaction and a `!` message
 * both become an Invocation before dispatch, so no command touches discord.js objects.
 */

/** Who asked. Role ids are the member's roles in the guild the command came from (none in DMs). */
export interface Caller {
  userId: string;
  username: string;
  roleIds: readonly string[];
}

/** Where the command came from. */
export type Place = { kind: 'guild'; guildId: string; channelId: string } | { kind: 'dm'; channelId: string };

export type Transport = 'slash' | 'prefix';

/** Raw argument values: typed already for slash options, words for `!` commands. */
export type RawArgs = { kind: 'named'; values: Readonly<Record<string, string | number | boolean>> } | { kind: 'words'; words: readonly string[]; rest: string };

export interface Invocation {
  /** Command path, e.g. ['trades'] or ['trader', 'status']. */
  path: readonly string[];
  args: RawArgs;
  caller: Caller;
  place: Place;
  transport: Transport;
  /** Epoch ms the invocation was created at Discord (interaction or message snowflake time). */
  createdAt: number;
}

/** "guild 123 #456" or "DM 789": where, for the audit log. */
export function describePlace(place: Place): string {
  return place.kind === 'dm' ? `DM ${place.channelId}` : `guild ${place.guildId} channel ${place.channelId}`;
}
