import { statusAnswer } from '../../../readModel/queries';
import { renderAnswer } from '../../render/answers';
import { defineCommand } from '../CommandDefinition';

export const status = defineCommand({
  path: ['status'],
  description: 'Traders, training, portfolios, host and barista at a glance',
  options: [],
  access: 'canRead',
  run: ({ read }) => ({ message: renderAnswer(statusAnswer(read)) }),
});
