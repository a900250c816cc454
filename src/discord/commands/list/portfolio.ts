import { portfolioAnswer } from '../../../readModel/queries';
import { renderAnswer } from '../../render/answers';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

export const portfolio = defineCommand({
  path: ['portfolio'],
  description: 'Total, cash, P&L and positions of a trader',
  options: [string('trader', 'which trader (default: the one with the newest bar)', { autocomplete: 'trader', maxLength: 100 })],
  access: 'canRead',
  run: ({ read }, args) => ({ message: renderAnswer(portfolioAnswer(read, args.trader)) }),
});
