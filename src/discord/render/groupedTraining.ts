/**
 * Grouped training: "8 trials completed on <study>, best 1.93 (#250)" with a table of trials, and
 * a run of best-value improvements as one progression.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbed, DiscordEmbedField } from '../DiscordMessage';
import { cutText } from './discordLimits';
import { fieldsOf } from './eventEmbed';
import { COLORS, ownValue, strong } from './eventStyle';
import { discordTime, finiteNumber, formatDuration, formatObjective, plural, textOf } from './formatValues';
import { budgetedLines, codeTable, DEFAULT_TABLE_ROWS, GROUP_TEXT_BUDGET, groupFooter, groupSubject, latestAt, spanLine, spanPhrase, timeRange, type GroupOptions } from './groupParts';
import { paramsField } from './trainingEmbeds';
import { markdownText } from './sanitizeText';
import { tableCell } from './textTable';

const STATE_OF_TYPE: Record<string, string> = {
  'training.trial_completed': 'completed',
  'training.trial_pruned': 'pruned',
  'training.trial_failed': 'failed',
};

export const TRIAL_TYPES: readonly string[] = Object.keys(STATE_OF_TYPE);

function minimizes(events: readonly BaristaEvent[]): boolean {
  return events.some((event) => textOf(fieldsOf(event).direction ?? '', 20).toUpperCase() === 'MINIMIZE');
}

/** The best completed trial of the group (by the study's direction; maximize unless told). */
function bestTrial(events: readonly BaristaEvent[]): { value: number; number: unknown; event: BaristaEvent } | null {
  const minimize = minimizes(events);
  let best: { value: number; number: unknown; event: BaristaEvent } | null = null;
  for (const event of events) {
    if (event.type !== 'training.trial_completed') continue;
    const value = finiteNumber(fieldsOf(event).value);
    if (value === null) continue;
    if (best === null || (minimize ? value < best.value : value > best.value)) best = { value, number: fieldsOf(event).number, event };
  }
  return best;
}

function trialLabel(number: unknown): string {
  return number === undefined || number === null || number === '' ? '#?' : `#${tableCell(textOf(number, 20), 10)}`;
}

export function groupedTrialsEmbed(events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions = {}): DiscordEmbed {
  const maxRows = options.maxTableRows ?? DEFAULT_TABLE_ROWS;
  const counts = { completed: 0, pruned: 0, failed: 0 };
  let sum = 0;
  let valued = 0;
  for (const event of events) {
    const state = ownValue(STATE_OF_TYPE, event.type) as keyof typeof counts | undefined;
    if (state) counts[state]++;
    const value = finiteNumber(fieldsOf(event).value);
    if (state === 'completed' && value !== null) {
      sum += value;
      valued++;
    }
  }
  const best = bestTrial(events);
  const range = timeRange(events);
  const study = groupSubject(events, labels, 'studies');
  const bestText = best === null ? '' : `, best ${formatObjective(best.value)} (${markdownText(trialLabel(best.number))})`;
  const allCompleted = counts.completed === events.length;
  const headline = allCompleted
    ? `${plural(events.length, 'trial')} completed`
    : `${plural(events.length, 'trial')} finished (${[counts.completed ? `${counts.completed} completed` : null, counts.pruned ? `${counts.pruned} pruned` : null, counts.failed ? `${counts.failed} failed` : null].filter(Boolean).join(', ')})`;

  const rows = events.slice(0, maxRows).map((event) => {
    const fields = fieldsOf(event);
    return [trialLabel(fields.number), ownValue(STATE_OF_TYPE, event.type) ?? tableCell(String(event.type), 12), tableCell(formatObjective(fields.value), 12), tableCell(formatDuration(fields.duration_s), 14)];
  });
  const table = codeTable(['Trial', 'State', 'Value', 'Duration'], rows, [false, false, true, true], { budget: GROUP_TEXT_BUDGET, maxRows, totalRows: events.length });
  const fields: DiscordEmbedField[] = [
    { name: '✅ Completed', value: String(counts.completed), inline: true },
    { name: '✂️ Pruned', value: String(counts.pruned), inline: true },
    { name: '💥 Failed', value: String(counts.failed), inline: true },
  ];
  if (best !== null) fields.push({ name: '🏆 Best in this batch', value: `${formatObjective(best.value)} (${markdownText(trialLabel(best.number))})`, inline: true });
  if (valued > 0) fields.push({ name: 'Mean value', value: formatObjective(sum / valued), inline: true });
  if (best !== null) fields.push(...paramsField(fieldsOf(best.event).params, 'Best params'));
  return {
    title: `🧠 ${headline} on ${study}${spanPhrase(range)}${bestText}`,
    description: [spanLine(range), table].filter(Boolean).join('\n'),
    color: counts.completed === 0 ? COLORS.neutral : COLORS.training,
    fields,
    ...(latestAt(events) ? { timestamp: latestAt(events) } : {}),
    footer: { text: groupFooter(events) },
  };
}

export function groupedBestImprovedEmbed(events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions = {}): DiscordEmbed {
  const maxRows = options.maxTableRows ?? DEFAULT_TABLE_ROWS;
  const last = events[events.length - 1];
  const lastFields = fieldsOf(last);
  const firstPrevious = finiteNumber(fieldsOf(events[0]).previous);
  const range = timeRange(events);
  const lines = function* () {
    for (const event of events) {
      const fields = fieldsOf(event);
      const at = discordTime(event.at, 'T');
      yield `${at ? `${at} ` : ''}${strong(trialLabel(fields.number))} ${markdownText(formatObjective(fields.value))}${finiteNumber(fields.previous) !== null ? ` (was ${formatObjective(fields.previous)})` : ''}`;
    }
  };
  const progression = budgetedLines(lines(), events.length, { budget: GROUP_TEXT_BUDGET, maxLines: maxRows });
  const fields: DiscordEmbedField[] = [
    { name: 'Now', value: markdownText(cutText(formatObjective(lastFields.value), 100)), inline: true },
    ...(firstPrevious !== null ? [{ name: 'Before these', value: formatObjective(firstPrevious), inline: true }] : []),
    ...paramsField(lastFields.params, 'Best params'),
  ];
  return {
    title: `🏆 Best improved ${plural(events.length, 'time')} on ${groupSubject(events, labels, 'studies')}${spanPhrase(range)}: ${markdownText(cutText(formatObjective(lastFields.value), 60))} (${markdownText(trialLabel(lastFields.number))})`,
    description: [spanLine(range), progression].filter(Boolean).join('\n'),
    color: 0xf1c40f,
    fields,
    ...(latestAt(events) ? { timestamp: latestAt(events) } : {}),
    footer: { text: groupFooter(events) },
  };
}
