/**
 * Who may run what: named, reusable checks a command lists. Deny by default where it matters
 * (control, mutes); reading is open to members of the configured guilds. Direct messages are
 * answered only for users listed by id.
 */
import type { CommandsConfig, Principals } from '../../config/schema';
import type { Caller, Place } from './Invocation';

export type Decision = { allowed: true } | { allowed: false; reason: string; /** Say nothing at all (an unlisted DM). */ silent?: boolean };

export interface AccessContext {
  caller: Caller;
  place: Place;
  config: CommandsConfig;
}

const ALLOWED: Decision = { allowed: true };

function listed(principals: Principals | undefined, caller: Caller): boolean {
  if (!principals) return false;
  return principals.users.includes(caller.userId) || caller.roleIds.some((role) => principals.roles.includes(role));
}

function inConfiguredGuild(place: Place, config: CommandsConfig): boolean {
  return place.kind === 'guild' && (!config.guilds?.length || config.guilds.includes(place.guildId));
}

/** A DM is answered only for a user listed by id (roles do not exist in DMs). */
function dmDecision(principals: Principals | undefined, caller: Caller): Decision {
  return principals?.users.includes(caller.userId) ? ALLOWED : { allowed: false, reason: 'barista answers direct messages only from users listed in its rules', silent: true };
}

export const PRECONDITIONS = {
  /** Read-only answers: allow.read when set, else any member of the configured guilds. */
  canRead({ caller, place, config }: AccessContext): Decision {
    const read = config.allow.read;
    if (place.kind === 'dm') return dmDecision(read ?? config.allow.control, caller);
    if (!inConfiguredGuild(place, config)) return { allowed: false, reason: 'this server is not in commands.guilds', silent: true };
    if (!read) return ALLOWED;
    return listed(read, caller) || listed(config.allow.control, caller) ? ALLOWED : { allowed: false, reason: 'you are not in commands.allow.read' };
  },
  /** Mutes change what everyone is told: allow.mute, else the control list; nobody by default. */
  canMute({ caller, place, config }: AccessContext): Decision {
    const mute = config.allow.mute ?? config.allow.control;
    if (place.kind === 'dm') return dmDecision(mute, caller);
    if (!inConfiguredGuild(place, config)) return { allowed: false, reason: 'this server is not in commands.guilds', silent: true };
    return listed(mute, caller) ? ALLOWED : { allowed: false, reason: 'muting needs commands.allow.mute (nobody is listed by default)' };
  },
  /** Starting and stopping the trader: allow.control only; nobody by default. */
  canControl({ caller, place, config }: AccessContext): Decision {
    const control = config.allow.control;
    if (place.kind === 'dm') return dmDecision(control, caller);
    if (!inConfiguredGuild(place, config)) return { allowed: false, reason: 'this server is not in commands.guilds', silent: true };
    return listed(control, caller) ? ALLOWED : { allowed: false, reason: 'control needs commands.allow.control (nobody is listed by default)' };
  },
} as const satisfies Record<string, (context: AccessContext) => Decision>;

export type PreconditionName = keyof typeof PRECONDITIONS;
