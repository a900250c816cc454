/**
 * 🧠 /chart training: the embed that goes with a study's trial chart (drawn elsewhere and
 * attached as a PNG): finished trials, the best value and when the last one finished.
 */
import type { TrainingSeriesAnswer } from '../../../readModel/answers';
import type { DiscordEmbedField, DiscordMessage } from '../../DiscordMessage';
import { COLORS } from '../eventStyle';
import { finiteNumber, formatObjective, plural } from '../formatValues';
import { markdownText } from '../sanitizeText';
import { fitOneMessage, relativeTime, safeName, timestampOf } from './answerParts';
import { chartFileName } from './chartParts';

export function renderTrainingSeries(answer: TrainingSeriesAnswer): DiscordMessage {
  const file = chartFileName(answer);
  const valued = answer.trials.filter((t) => finiteNumber(t.value) !== null) as Array<TrainingSeriesAnswer['trials'][number] & { value: number }>;
  const sign = answer.direction === 'minimize' ? -1 : 1;
  const best = valued.reduce<(typeof valued)[number] | null>((top, t) => (top === null || sign * t.value > sign * top.value ? t : top), null);
  const lastFinished = answer.trials.reduce<number | null>((latest, t) => (finiteNumber(t.finishedAt) !== null && (latest === null || (t.finishedAt ?? 0) > latest) ? t.finishedAt : latest), null);
  const fields: DiscordEmbedField[] = [
    { name: '🧪 Trials', value: `${plural(answer.trials.length, 'finished trial')}${valued.length < answer.trials.length ? ` (${valued.length} with a value)` : ''}`, inline: true },
    { name: `🏆 Best (${answer.direction})`, value: best === null ? '—' : `${markdownText(formatObjective(best.value))} (#${best.number})`, inline: true },
  ];
  if (lastFinished !== null) fields.push({ name: '⏱️ Last finished', value: relativeTime(lastFinished), inline: true });
  return fitOneMessage({
    embeds: [
      {
        title: `🧠 Trials · ${safeName(answer.study, 80)}`,
        ...(file === null ? { description: 'No trial with a value yet: nothing to draw.' } : {}),
        color: COLORS.training,
        fields,
        ...(file !== null ? { image: { url: `attachment://${file}` }, footer: { text: `chart attached (${file})` } } : {}),
        ...timestampOf(answer.now),
      },
    ],
  });
}
