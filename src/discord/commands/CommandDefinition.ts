/**
 * What a command is: its place in the command tree, its options, who may run it, and how it
 * answers. A command is one file that exports one definition; the registry lists them all.
 */
import type { CommandsConfig } from '../../config/schema';
import type { RuntimeInfo } from '../../readModel/queries';
import type { ReadModel } from '../../readModel/ReadModel';
import type { AuditLog } from '../../state/AuditLog';
import type { MuteStore } from '../../state/MuteStore';
import type { ControlActions } from './ControlActions';
import type { DiscordMessage } from '../DiscordMessage';
import type { Caller, Place } from './Invocation';
import type { ArgsOf, OptionSpec } from './options';
import type { PreconditionName } from './preconditions';

export interface ReplyFile {
  name: string;
  data: Buffer;
}

/** An answer, whichever way it goes back (interaction reply, edited deferral, message reply). */
export interface CommandReply {
  message: DiscordMessage;
  files?: readonly ReplyFile[];
  /** Only the caller sees it (slash); `!` replies cannot be hidden. */
  ephemeral?: boolean;
  /** The reply carries buttons of a pending action: the bot disables them once it expires. */
  pending?: { id: string; expiresAt: number };
  /** What the command's audit row says happened (default "answered"). */
  auditOutcome?: string;
}

/** Everything a command may use: state through the read model, never Discord objects. */
export interface CommandContext {
  read: ReadModel;
  mutes: MuteStore;
  config: CommandsConfig;
  runtime: RuntimeInfo;
  caller: Caller;
  place: Place;
  /** What the caller typed before the command's name: `/` for slash, the `!` prefix for messages (for usage lines). */
  prefix: string;
  now(): number;
  /** The commands this caller may run (for /help). */
  visibleCommands(): readonly CommandDefinition[];
  /** Control (plans, confirmations) and the audit log; absent where barista cannot act. */
  control?: ControlActions;
  audit?: AuditLog;
  /** This invocation's audit row (commands that change something), for a pending action to settle later. */
  auditId?: number | null;
}

export interface CommandDefinition<O extends readonly OptionSpec[] = readonly OptionSpec[]> {
  /** ['status'] or ['trader', 'status'] (a subcommand). */
  path: readonly [string] | readonly [string, string];
  description: string;
  options: O;
  access: PreconditionName;
  /** Slower than Discord's 3 s allows (charts): the reply is deferred, then edited. */
  slow?: boolean;
  /** The `!` form of a group without a subcommand word runs this one (`!trader` = `!trader status`). */
  groupDefault?: boolean;
  run(context: CommandContext, args: ArgsOf<NoInfer<O>>): Promise<CommandReply> | CommandReply;
}

/** Keeps the options' literal types so `run` gets typed arguments. */
export function defineCommand<const O extends readonly OptionSpec[]>(definition: CommandDefinition<O>): CommandDefinition<O> {
  return definition;
}

export const commandName = (command: Pick<CommandDefinition, 'path'>): string => command.path.join(' ');
