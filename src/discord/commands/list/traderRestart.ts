import { controlReply } from '../controlReply';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

const OPTIONS = [string('trader', 'which trader (default: the only one configured)', { autocomplete: 'controlled', maxLength: 100 })] as const;

export const traderRestart = defineCommand({
  path: ['trader', 'restart'],
  description: 'Stop a trader, then start it again (asks you to confirm first)',
  options: OPTIONS,
  access: 'canControl',
  run: (context, args) => controlReply(context, ['trader', 'restart'], OPTIONS, (controller) => controller.planRestart(args.trader ?? null)),
});
