/** A chart answer as a reply: the embed, and the PNG under the name the embed refers to. */
import type { Answer, EquitySeriesAnswer, TrainingSeriesAnswer } from '../../readModel/answers';
import { chartFileName, renderAnswer } from '../render/answers';
import type { CommandReply } from './CommandDefinition';

export async function chartReply<A extends EquitySeriesAnswer | TrainingSeriesAnswer>(answer: A | Exclude<Answer, A>, draw: (answer: A) => Promise<Buffer>): Promise<CommandReply> {
  const message = renderAnswer(answer);
  if (answer.kind !== 'equity-series' && answer.kind !== 'training-series') return { message };
  const chart = answer as A;
  const name = chartFileName(chart);
  return name ? { message, files: [{ name, data: await draw(chart) }] } : { message };
}

/** The chart renderers, loaded at the first chart asked for: Skia and Chart.js weigh tens of MB a barista nobody asks for a chart never needs. */
export function loadCharts(): Promise<typeof import('../render/charts')> {
  return import('../render/charts');
}
