import { healthAnswer } from '../../../readModel/queries';
import { renderAnswer } from '../../render/answers';
import { defineCommand } from '../CommandDefinition';

export const health = defineCommand({
  path: ['health'],
  description: "barista itself: sources, lag, errors, outbox, version, uptime",
  options: [],
  access: 'canRead',
  run: ({ read, runtime }) => ({ message: renderAnswer(healthAnswer(read, runtime)) }),
});
