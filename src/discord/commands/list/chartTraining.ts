import type { TrainingSeriesAnswer } from '../../../readModel/answers';
import { trainingSeriesAnswer } from '../../../readModel/queries';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';
import { chartReply, loadCharts } from '../chartReply';

export const chartTraining = defineCommand({
  path: ['chart', 'training'],
  description: 'PNG: value per trial and the best so far',
  options: [string('study', 'which study (default: the most recently active)', { autocomplete: 'study', maxLength: 100 })],
  access: 'canRead',
  slow: true,
  run: ({ read }, args) => chartReply(trainingSeriesAnswer(read, args.study), async (answer: TrainingSeriesAnswer) => (await loadCharts()).renderTrainingChart(answer)),
});
