import type { EquitySeriesAnswer } from '../../../readModel/answers';
import { equitySeriesAnswer } from '../../../readModel/queries';
import { defineCommand } from '../CommandDefinition';
import { duration, string } from '../options';
import { chartReply, loadCharts } from '../chartReply';

export const chartEquity = defineCommand({
  path: ['chart', 'equity'],
  description: 'PNG: total value over time, trades and drawdown',
  options: [
    string('trader', 'which trader (default: the one with the newest bar)', { autocomplete: 'trader', maxLength: 100 }),
    duration('period', 'how far back, e.g. 24h, 7d, 30d (default: everything kept)', { max: 366 * 86_400_000 }),
  ],
  access: 'canRead',
  slow: true,
  run: ({ read }, args) => chartReply(equitySeriesAnswer(read, args.trader, args.period), async (answer: EquitySeriesAnswer) => (await loadCharts()).renderEquityChart(answer)),
});
