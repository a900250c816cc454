import { DEFAULT_TRADES, MAX_TRADES, tradesAnswer } from '../../../readModel/queries';
import { renderAnswer } from '../../render/answers';
import { defineCommand } from '../CommandDefinition';
import { integer, string } from '../options';

export const trades = defineCommand({
  path: ['trades'],
  description: `The last trades (default ${DEFAULT_TRADES}, at most ${MAX_TRADES})`,
  options: [integer('count', `how many (1–${MAX_TRADES})`, { min: 1, max: MAX_TRADES }), string('trader', 'only this trader', { autocomplete: 'trader', maxLength: 100 })],
  access: 'canRead',
  run: ({ read }, args) => ({ message: renderAnswer(tradesAnswer(read, args.count ?? DEFAULT_TRADES, args.trader)) }),
});
