import { controlReply } from '../controlReply';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

const OPTIONS = [string('trader', 'which trader (default: the only one configured)', { autocomplete: 'controlled', maxLength: 100 })] as const;

export const traderStart = defineCommand({
  path: ['trader', 'start'],
  description: 'Start a trader (asks you to confirm first)',
  options: OPTIONS,
  access: 'canControl',
  run: (context, args) => controlReply(context, ['trader', 'start'], OPTIONS, (controller) => controller.planStart(args.trader ?? null)),
});
