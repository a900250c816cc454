import { mutesAnswer } from '../../../readModel/queries';
import { renderAnswer } from '../../render/answers';
import { defineCommand } from '../CommandDefinition';

export const mutes = defineCommand({
  path: ['mutes'],
  description: 'The mutes in force',
  options: [],
  access: 'canRead',
  run: ({ read }) => ({ message: renderAnswer(mutesAnswer(read)) }),
});
