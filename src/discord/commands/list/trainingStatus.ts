import { trainingStatusAnswer } from '../../../readModel/queries';
import { renderAnswer } from '../../render/answers';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

export const trainingStatus = defineCommand({
  path: ['training', 'status'],
  description: 'Studies: counts, best trials, rate, ETA, running trials',
  options: [string('study', 'only this study', { autocomplete: 'study', maxLength: 100 })],
  access: 'canRead',
  groupDefault: true,
  run: ({ read }, args) => ({ message: renderAnswer(trainingStatusAnswer(read, args.study)) }),
});
