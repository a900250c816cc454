/**
 * discord.js objects → neutral Invocations. With the bot's reply code, the only place that
 * reads discord.js messages and interactions.
 */
import type { ButtonInteraction, ChatInputCommandInteraction, CommandInteractionOption, GuildMember, Message } from 'discord.js';
import type { ButtonPress } from '../commands/ControlActions';
import type { Caller, Invocation, Place } from '../commands/Invocation';

type MemberLike = GuildMember | { roles: string[] } | null | undefined;

function roleIdsOf(member: MemberLike): string[] {
  if (!member) return [];
  const roles = member.roles;
  if (Array.isArray(roles)) return [...roles];
  return [...(roles as GuildMember['roles']).cache.keys()];
}

function placeOf(guildId: string | null, channelId: string): Place {
  return guildId ? { kind: 'guild', guildId, channelId } : { kind: 'dm', channelId };
}

/** `!trades 10 trial250` → path ['trades'], words ['10', 'trial250']; null when not a command. */
export function invocationFromMessage(message: Message, prefix: string): Invocation | null {
  if (!message.content.startsWith(prefix)) return null;
  const body = message.content.slice(prefix.length).trim();
  const [name, ...words] = body.split(/\s+/).filter(Boolean);
  // "!" alone, "! x" or "!!!" are chatter, not commands.
  if (!name || !/^[a-z][a-z0-9_-]*$/i.test(name)) return null;
  const caller: Caller = { userId: message.author.id, username: message.author.username, roleIds: roleIdsOf(message.member) };
  return {
    path: [name],
    args: { kind: 'words', words, rest: body.slice(name.length).trim() },
    caller,
    place: placeOf(message.guildId, message.channelId),
    transport: 'prefix',
    createdAt: message.createdTimestamp,
  };
}

/** Slash options flattened: a subcommand's own options become the arguments. */
function flatten(options: readonly CommandInteractionOption[]): { sub: string | null; values: Record<string, string | number | boolean> } {
  const values: Record<string, string | number | boolean> = {};
  let sub: string | null = null;
  for (const option of options) {
    if (option.options) {
      sub = option.name;
      Object.assign(values, flatten(option.options).values);
    } else if (option.value !== undefined) {
      values[option.name] = option.value;
    }
  }
  return { sub, values };
}

export function invocationFromInteraction(interaction: ChatInputCommandInteraction): Invocation {
  const { sub, values } = flatten(interaction.options.data);
  return {
    path: sub ? [interaction.commandName, sub] : [interaction.commandName],
    args: { kind: 'named', values },
    caller: { userId: interaction.user.id, username: interaction.user.username, roleIds: roleIdsOf(interaction.member as MemberLike) },
    place: placeOf(interaction.guildId, interaction.channelId),
    transport: 'slash',
    createdAt: interaction.createdTimestamp,
  };
}

/** A button press, neutral: its custom_id (untrusted), who pressed it, where. */
export function pressFromInteraction(interaction: ButtonInteraction): ButtonPress {
  return {
    customId: interaction.customId,
    caller: { userId: interaction.user.id, username: interaction.user.username, roleIds: roleIdsOf(interaction.member as MemberLike) },
    place: placeOf(interaction.guildId, interaction.channelId),
    createdAt: interaction.createdTimestamp,
  };
}
