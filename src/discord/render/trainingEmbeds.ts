/** Training (Optuna trials, best value, stalls, workers) and deployment / ensemble embeds. */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbedField } from '../DiscordMessage';
import { codeBlock, cutText, DISCORD_LIMITS } from './discordLimits';
import { errorDesign } from './errorEmbeds';
import { type EventDesign, fieldsOf, type FieldSpec, leadFromText, withEventTime } from './eventEmbed';
import { COLORS, humanize, oneLine, strong } from './eventStyle';
import { duration, identifier, list, number, objective, time } from './fieldFormats';
import { finiteNumber, formatObjective, formatParams, formatSignedPercent, textOf } from './formatValues';
import { codeText, isBlank, markdownText } from './sanitizeText';

const GOLD = 0xf1c40f;

/** A short name (study) as markdown, or null when there is none. */
function nameOf(value: unknown, max = 120): string | null {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && !isBlank(value) ? markdownText(oneLine(value, max)) : null;
}

function trialNumber(event: BaristaEvent, key = 'number'): string {
  const value = fieldsOf(event)[key];
  return value === undefined || value === null || value === '' ? '?' : markdownText(cutText(textOf(value, 40), 30));
}

function studyOf(event: BaristaEvent): string | null {
  const fields = fieldsOf(event);
  return nameOf(fields.study ?? fields.study_name);
}

/** Params as a code block field (compact `name=value` lines). */
export function paramsField(params: unknown, name = 'Params'): DiscordEmbedField[] {
  const text = formatParams(params, DISCORD_LIMITS.fieldValue - 40);
  return text === null ? [] : [{ name, value: codeBlock(codeText(text), { maxLength: DISCORD_LIMITS.fieldValue }), inline: false }];
}

const TRIAL_FIELDS: readonly FieldSpec[] = [
  { key: 'value', label: 'Value', format: objective },
  { key: 'values', label: 'Values', format: list },
  { key: 'duration_s', label: 'Duration', format: duration },
  { key: 'mean_sharpe_bot', label: 'Sharpe (bot)', format: objective },
  { key: 'mean_sharpe_hodl', label: 'Sharpe (HODL)', format: objective },
  { key: 'std_sharpe_bot', label: 'Sharpe std', format: objective },
  { key: 'timeframe', label: 'Timeframe' },
  { key: 'best_value', label: 'Best so far', format: (value, event) => `${objective(value)} (#${trialNumber(event, 'best_number')})` },
  { key: ['error', 'fail_reason', 'reason'], label: 'Reason', inline: false },
];

const TRIAL_HIDDEN = ['study', 'number', 'state', 'params', 'datetime_complete', 'best_number', 'sharpe_list_bot', 'sharpe_list_hodl', 'intermediate_values'];

function trialDesign(emoji: string, verb: string, color: (event: BaristaEvent) => number | undefined): EventDesign {
  return {
    title: (e) => `${emoji} Training update · trial #${trialNumber(e)} ${verb}`,
    color,
    lead(e) {
      const study = studyOf(e);
      const value = fieldsOf(e).value;
      const parts = [study ? `Study **${study}**` : null, value !== undefined && value !== null && value !== '' ? `value ${strong(formatObjective(value))}` : null].filter(Boolean);
      return withEventTime([parts.join(' · ') || leadFromText(e)], e);
    },
    fields: TRIAL_FIELDS,
    more: (e) => paramsField(fieldsOf(e).params),
    hidden: TRIAL_HIDDEN,
  };
}

export const trainingDesigns: Record<string, EventDesign> = {
  'training.trial_completed': trialDesign('🧠', 'completed', (e) => {
    const value = finiteNumber(fieldsOf(e).value);
    return value === null ? COLORS.training : value > 0 ? COLORS.good : COLORS.bad;
  }),
  'training.trial_pruned': trialDesign('✂️', 'pruned', () => COLORS.neutral),
  'training.trial_failed': trialDesign('💥', 'failed', () => undefined),
  'training.best_improved': {
    title(e) {
      const study = studyOf(e);
      return `🏆 New best${study ? ` on ${study}` : ''}: ${objective(fieldsOf(e).value)} (trial #${trialNumber(e)})`;
    },
    color: () => GOLD,
    lead(e) {
      const fields = fieldsOf(e);
      const previous = finiteNumber(fields.previous);
      const value = finiteNumber(fields.value);
      if (previous === null) return withEventTime(['The first completed trial sets the best value.'], e);
      const gain = value === null ? null : value - previous;
      const relative = gain !== null && previous !== 0 ? ` (${formatSignedPercent((gain / Math.abs(previous)) * 100)})` : '';
      return withEventTime([`Up from ${strong(formatObjective(previous))}${gain !== null ? ` by ${formatObjective(Math.abs(gain))}${relative}` : ''}.`], e);
    },
    fields: [
      { key: 'value', label: 'Value', format: objective },
      { key: 'previous', label: 'Previous', format: objective },
      { key: 'improvement', label: 'Improvement', format: objective },
      { key: 'direction', label: 'Direction', format: (v) => markdownText(textOf(v, 40).toLowerCase()) },
    ],
    more: (e) => paramsField(fieldsOf(e).params),
    hidden: ['study', 'number', 'params'],
  },
  'training.stalled': {
    title: (e) => `🐢 Training stalled${studyOf(e) ? ` · ${studyOf(e)}` : ''}`,
    lead: (e) => withEventTime([leadFromText(e) ?? 'No trial has completed for longer than expected.'], e),
    fields: [
      { key: ['last_completed', 'last_complete', 'last_completed_at'], label: 'Last completion', format: time },
      { key: ['idle_s', 'since_s', 'stalled_for_s'], label: 'Idle for', format: duration },
      { key: ['median_s', 'median_duration_s'], label: 'Median trial', format: duration },
      { key: ['threshold_s', 'limit_s'], label: 'Threshold', format: duration },
      { key: 'running', label: 'Running trials', format: number },
    ],
    hidden: ['study'],
  },
  'training.trial_stale': {
    title: (e) => `🧟 Trial #${trialNumber(e)} looks stuck${studyOf(e) ? ` · ${studyOf(e)}` : ''}`,
    lead: (e) => withEventTime([leadFromText(e) ?? 'It is RUNNING, but its worker seems gone.'], e),
    fields: [
      { key: ['started', 'datetime_start', 'start'], label: 'Started', format: time },
      { key: ['running_s', 'running_for_s', 'age_s'], label: 'Running for', format: duration },
      { key: 'reason', label: 'Why', inline: false },
      { key: ['pid', 'worker_pid'], label: 'Worker PID', format: identifier },
    ],
    hidden: ['study', 'number'],
  },
  'training.worker_started': {
    title: () => '👷 Training worker started',
    color: () => COLORS.good,
    lead: (e) => withEventTime([leadFromText(e)], e),
    fields: [
      { key: 'pid', label: 'PID', format: identifier },
      { key: ['study', 'study_name'], label: 'Study' },
      { key: 'worker', label: 'Worker', format: identifier },
    ],
  },
  'training.workers_below_expected': {
    title(e) {
      const fields = fieldsOf(e);
      const running = finiteNumber(fields.running ?? fields.count);
      const expected = finiteNumber(fields.expected);
      return running !== null && expected !== null ? `⚠️ Only ${running}/${expected} training workers running` : '⚠️ Fewer training workers than expected';
    },
    lead: (e) => withEventTime([leadFromText(e)], e),
    fields: [{ key: 'pids', label: 'Running PIDs', format: list }],
    hidden: ['running', 'count', 'expected'],
  },
};

const crashedWorker = errorDesign(() => 'A training worker');

const exitedWorker: EventDesign = {
  title: () => '⏹️ Training worker exited',
  lead: (e) => withEventTime([leadFromText(e)], e),
  fields: [
    { key: 'pid', label: 'PID', format: identifier },
    { key: 'exit_code', label: 'Exit code', format: identifier },
    { key: 'reason', label: 'Reason', format: (v) => markdownText(humanize(textOf(v, 200))) },
    { key: ['runtime_s', 'uptime_s'], label: 'Ran for', format: duration },
  ],
};

/** A worker that died with a traceback is shown as an error. */
export function workerExitedDesign(event: BaristaEvent): EventDesign {
  return typeof event.text === 'string' && event.text.includes('Traceback (most recent call last)') ? crashedWorker : exitedWorker;
}

/** Any other training.* type. */
export const trainingGenericDesign: EventDesign = {
  title: (e) => `🧠 ${markdownText(cutText(humanize(String(e.type ?? '').replace(/^training\./, '')), 120))}${studyOf(e) ? ` · ${studyOf(e)}` : ''}`,
  color: () => COLORS.training,
  lead: (e) => withEventTime([leadFromText(e)], e),
  more: (e) => paramsField(fieldsOf(e).params),
  hidden: ['study', 'params'],
};

// ------------------------------------------------------------------------------------ deployment

const DEPLOY_FIELDS: readonly FieldSpec[] = [
  { key: ['trial', 'trial_number', 'trial_id'], label: 'Trial', format: (v) => `#${markdownText(cutText(textOf(v, 40), 30))}` },
  { key: ['value', 'sharpe', 'sharpe_value'], label: 'Sharpe', format: objective },
  { key: ['study', 'study_name'], label: 'Study' },
  { key: ['dir', 'model_dir', 'directory'], label: 'Directory' },
  { key: 'action', label: 'Action' },
  { key: ['details', 'reason'], label: 'Details', inline: false },
];

function deploymentDesign(title: (event: BaristaEvent) => string, color?: number): EventDesign {
  return {
    title,
    ...(color !== undefined ? { color: () => color } : {}),
    lead: (e) => withEventTime([leadFromText(e)], e),
    fields: DEPLOY_FIELDS,
  };
}

function trialOf(event: BaristaEvent): string {
  const fields = fieldsOf(event);
  const trial = fields.trial ?? fields.trial_number ?? fields.trial_id;
  return trial === undefined || trial === null || trial === '' ? '' : ` · trial #${markdownText(cutText(textOf(trial, 40), 30))}`;
}

export const deploymentDesigns: Record<string, EventDesign> = {
  'deployment.model_deployed': deploymentDesign((e) => `🚀 New model deployed${trialOf(e)}`, COLORS.good),
  'deployment.skipped': deploymentDesign((e) => `⏭️ Deployment skipped${trialOf(e)}`, COLORS.neutral),
  'deployment.failed': deploymentDesign((e) => `❌ Deployment failed validation${trialOf(e)}`, COLORS.bad),
  'ensemble.updated': {
    title(e) {
      const count = finiteNumber(fieldsOf(e).count);
      return `🧩 Ensemble updated${count !== null ? `: ${count} models` : ''}`;
    },
    color: () => COLORS.training,
    lead(e) {
      const fields = fieldsOf(e);
      const size = (v: unknown) => (Array.isArray(v) ? v.length : null);
      const added = size(fields.added);
      const removed = size(fields.removed);
      const change = added !== null || removed !== null ? `+${added ?? 0} / -${removed ?? 0} trials` : null;
      return withEventTime([change, leadFromText(e)], e);
    },
    fields: [
      { key: 'added', label: 'Added', format: list },
      { key: 'removed', label: 'Removed', format: list },
      { key: 'count', label: 'Models', format: number },
      { key: 'best', label: 'Best', format: objective },
      { key: 'mean', label: 'Mean', format: objective },
      { key: ['study', 'study_name'], label: 'Study' },
    ],
  },
};

export const deploymentGenericDesign = deploymentDesign((e) => `🚀 ${markdownText(cutText(humanize(String(e.type ?? '')), 120))}${trialOf(e)}`);
