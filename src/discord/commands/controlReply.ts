/**
 * The shared body of the control commands: plan through the Controller, then offer the plan
 * for confirmation (ControlActions). Where barista has no control, says so.
 */
import type { Plan, Refusal } from '../../control';
import { renderNote } from '../render/commandReplies';
import type { CommandContext, CommandReply } from './CommandDefinition';
import type { ControlPort } from './ControlActions';
import { usageOf, type OptionSpec } from './options';

export function controlReply(context: CommandContext, path: readonly [string, string], options: readonly OptionSpec[], plan: (controller: ControlPort) => Plan | Refusal): CommandReply {
  const { control } = context;
  if (!control) return { message: renderNote('Control is not available in this barista.'), ephemeral: true, auditOutcome: 'control unavailable' };
  return control.offer(context, path.join(' '), plan(control.controller), usageOf(path, options, context.prefix));
}
