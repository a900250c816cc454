import { controlReply } from '../controlReply';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

const OPTIONS = [string('trader', 'which trader (default: the only one configured)', { autocomplete: 'controlled', maxLength: 100 })] as const;

export const traderStop = defineCommand({
  path: ['trader', 'stop'],
  description: 'Stop a trader with its stop signal (asks you to confirm first)',
  options: OPTIONS,
  access: 'canControl',
  run: (context, args) => controlReply(context, ['trader', 'stop'], OPTIONS, (controller) => controller.planStop(args.trader ?? null)),
});
