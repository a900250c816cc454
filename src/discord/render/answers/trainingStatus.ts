/**
 * 🧠 /training status: the workers, then per study its trials by state, rate, progress to its
 * target, running trials with their age, and the best five with their parameters.
 */
import type { StudyStatusView, TrainingStatusAnswer, TrialView } from '../../../readModel/answers';
import type { DiscordEmbedField, DiscordMessage } from '../../DiscordMessage';
import { codeBlock, cutText, DISCORD_LIMITS } from '../discordLimits';
import { COLORS } from '../eventStyle';
import { finiteNumber, formatCount, formatDuration, formatNumber, formatObjective, formatParams } from '../formatValues';
import { codeText, markdownText, sanitizeText } from '../sanitizeText';
import { cell, fitOneMessage, linesWithin, relativeTime, safeName, timestampOf, WARN_COLOR } from './answerParts';
import { progressText, runningCount, workersLine, workersShort } from './studyParts';

/** Studies shown in full; the others are named in a last field. */
const MAX_STUDIES = 4;
const BEST_SHOWN = 5;
/** A best trial's params on one line, at most this long (a phone wraps code at about 40). */
const PARAMS_LINE = 110;

const STATE_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['COMPLETE', 'complete'],
  ['PRUNED', 'pruned'],
  ['FAIL', 'failed'],
  ['RUNNING', 'running'],
  ['WAITING', 'waiting'],
];

/** "120 complete · 30 pruned · 2 failed · 3 running" (other states too, in their own words). */
export function countsLine(counts: Readonly<Record<string, number>>): string {
  const known = new Set(STATE_LABELS.map(([state]) => state));
  const parts = STATE_LABELS.map(([state, label]) => [finiteNumber(counts[state]) ?? 0, label] as const);
  for (const [state, count] of Object.entries(counts)) if (!known.has(state)) parts.push([finiteNumber(count) ?? 0, state.toLowerCase()]);
  const shown = parts.filter(([count]) => count > 0).map(([count, label]) => `${formatCount(count)} ${label}`);
  return shown.length === 0 ? 'no trials yet' : markdownText(cutText(sanitizeText(shown.join(' · ')), 300));
}

/** "#57  1.2345  12 min" then the params indented, for a code block. */
function bestLines(trial: TrialView): string {
  const head = [`#${trial.number}`, formatObjective(trial.value), finiteNumber(trial.durationS) === null ? null : formatDuration(trial.durationS)].filter(Boolean).join('  ');
  const params = formatParams(trial.params, PARAMS_LINE * 2);
  return params === null ? head : `${head}\n  ${cell(params, PARAMS_LINE)}`;
}

/** The best trials in a code block within `budget`, as many whole trials as fit. */
function bestBlock(best: readonly TrialView[], budget: number): string | null {
  const trials = best.slice(0, BEST_SHOWN).map(bestLines);
  for (let shown = trials.length; shown > 0; shown--) {
    const text = codeText(trials.slice(0, shown).join('\n'));
    if (text.length + 8 <= budget) return codeBlock(text, { maxLength: budget });
  }
  return null;
}

function studyField(study: StudyStatusView, now: number): DiscordEmbedField {
  const lines: string[] = [countsLine(study.counts)];
  const rate = finiteNumber(study.trialsPerHour);
  lines.push([rate === null ? null : `${markdownText(formatNumber(rate, 1))} trials/h`, progressText(study)].filter(Boolean).join(' · '));
  if (finiteNumber(study.lastFinishedAt) !== null) lines.push(`last finished ${relativeTime(study.lastFinishedAt)}`);
  const running = runningCount(study);
  if (study.running.length > 0) {
    const ages = study.running.slice(0, 6).map((trial) => {
      const age = finiteNumber(trial.ageS) ?? (finiteNumber(trial.startedAt) !== null ? (now - (trial.startedAt ?? now)) / 1000 : null);
      return `#${trial.number}${age === null ? '' : ` ${markdownText(formatDuration(Math.max(0, Math.round(age))))}`}`;
    });
    lines.push(`⏳ running: ${ages.join(', ')}${study.running.length > 6 ? ` … and ${study.running.length - 6} more` : ''}`);
  } else if (running > 0) {
    lines.push(`⏳ ${running} running`);
  }
  const head = lines.join('\n');
  const best = study.best.length === 0 ? null : bestBlock(study.best, DISCORD_LIMITS.fieldValue - head.length - 20);
  const value = best === null ? head : `${head}\n🏆 best (${study.direction}):\n${best}`;
  return { name: `🧪 ${safeName(study.study, 80)}`, value, inline: false };
}

/** Studies with trials running first, then the most recently active. */
function byActivity(a: StudyStatusView, b: StudyStatusView): number {
  return runningCount(b) - runningCount(a) || (finiteNumber(b.lastFinishedAt) ?? -Infinity) - (finiteNumber(a.lastFinishedAt) ?? -Infinity);
}

export function renderTrainingStatus(answer: TrainingStatusAnswer): DiscordMessage {
  const studies = [...answer.studies].sort(byActivity);
  const fields = studies.slice(0, MAX_STUDIES).map((study) => studyField(study, answer.now));
  if (studies.length > MAX_STUDIES) {
    const rest = studies.slice(MAX_STUDIES).map((study) => `${safeName(study.study, 60)} · ${progressText(study)}`);
    fields.push({ name: `… and ${studies.length - MAX_STUDIES} more studies`, value: linesWithin(rest, 700, 15, 'studies'), inline: false });
  }
  return fitOneMessage({
    embeds: [
      {
        title: '🧠 Training Status',
        description: [workersLine(answer.workers), studies.length === 0 ? 'No study seen yet.' : null].filter(Boolean).join('\n'),
        color: workersShort(answer.workers) ? WARN_COLOR : COLORS.training,
        fields,
        ...timestampOf(answer.now),
      },
    ],
  });
}
