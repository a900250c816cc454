import { traderStatusAnswer } from '../../../readModel/queries';
import { renderAnswer } from '../../render/answers';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

export const traderStatus = defineCommand({
  path: ['trader', 'status'],
  description: "One trader's process, heartbeat and files",
  options: [string('trader', 'which trader (default: the running one)', { autocomplete: 'trader', maxLength: 100 })],
  access: 'canRead',
  groupDefault: true,
  run: ({ read }, args) => ({ message: renderAnswer(traderStatusAnswer(read, args.trader)) }),
});
