import { renderHelp } from '../../render/commandReplies';
import { defineCommand } from '../CommandDefinition';
import { usageOf } from '../options';

/** Generated from the registry: only what this caller may run here. */
export const help = defineCommand({
  path: ['help'],
  description: 'What barista answers, and how to ask',
  options: [],
  access: 'canRead',
  run: (context) => ({
    message: renderHelp(
      context.visibleCommands().map((command) => ({ usage: usageOf(command.path, command.options), description: command.description })),
      context.config.prefix,
    ),
  }),
});
