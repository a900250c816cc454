/**
 * Grouped forms for everything that is not a trade or a trial: a list of one line per event
 * ("5 stop-losses on trial250"), errors by exception with the latest traceback, and the latest of
 * several portfolio snapshots.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbed, DiscordEmbedField } from '../DiscordMessage';
import { codeBlock, cutText, DISCORD_LIMITS } from './discordLimits';
import { exceptionLine, isFatal } from './errorEmbeds';
import { fieldsOf } from './eventEmbed';
import { highestSeverity, ownValue, severityColor, severityEmoji, strong, subjectOf } from './eventStyle';
import { discordTime, formatAny, formatCount, plural, textOf } from './formatValues';
import { budgetedLines, DEFAULT_TABLE_ROWS, distinctSubjects, GROUP_TEXT_BUDGET, groupFooter, groupSubject, latestAt, spanLine, spanPhrase, timeRange, type GroupOptions } from './groupParts';
import { snapshotEventEmbed } from './portfolioSummary';
import { codeText, markdownText } from './sanitizeText';

/** Singular and plural of what a group of one type is called. */
const NOUNS: Record<string, [string, string]> = {
  'risk.stop_loss': ['stop-loss', 'stop-losses'],
  'risk.trailing_stop': ['trailing stop', 'trailing stops'],
  'risk.concentration': ['concentration limit', 'concentration limits'],
  'risk.position_limit': ['position limit', 'position limits'],
  'risk.min_hold': ['minimum-hold block', 'minimum-hold blocks'],
  'risk.portfolio_protection': ['portfolio protection event', 'portfolio protection events'],
  'risk.news': ['news adjustment', 'news adjustments'],
  'risk.macro_regime': ['macro regime update', 'macro regime updates'],
  'trader.error': ['error', 'errors'],
  'trader.started': ['trader start', 'trader starts'],
  'trader.exited': ['trader exit', 'trader exits'],
  'trader.interrupted': ['interrupt', 'interrupts'],
  'trader.paused': ['pause', 'pauses'],
  'trader.resumed': ['resume', 'resumes'],
  'trader.stale': ['stale heartbeat', 'stale heartbeats'],
  'trader.recovered': ['recovery', 'recoveries'],
  'watchdog.alert': ['watchdog alert', 'watchdog alerts'],
  'monitor.alert': ['monitor alert', 'monitor alerts'],
  'monitor.level_changed': ['live monitor level change', 'live monitor level changes'],
  'barista.warning': ['barista warning', 'barista warnings'],
  'deployment.model_deployed': ['model deployed', 'models deployed'],
  'deployment.skipped': ['deployment skipped', 'deployments skipped'],
  'deployment.failed': ['deployment failed', 'deployments failed'],
  'ensemble.updated': ['ensemble update', 'ensemble updates'],
  'training.stalled': ['stall alert', 'stall alerts'],
  'training.trial_stale': ['stuck trial', 'stuck trials'],
  'training.worker_started': ['worker started', 'workers started'],
  'training.worker_exited': ['worker exited', 'workers exited'],
  'training.workers_below_expected': ['worker shortage', 'worker shortages'],
  'trader.below_expected': ['trader shortage', 'trader shortages'],
  'performance.drawdown': ['drawdown alert', 'drawdown alerts'],
  'performance.alpha_decay': ['alpha decay alert', 'alpha decay alerts'],
  'performance.sharpe_low': ['low Sharpe alert', 'low Sharpe alerts'],
  'performance.concentration': ['concentration alert', 'concentration alerts'],
};

/** "5 stop-losses", "3 host memory alerts", "2 custom.thing events" (markdown-safe). */
function countedNoun(type: string, count: number): string {
  const noun = ownValue(NOUNS, type);
  if (noun) return plural(count, noun[0], noun[1]);
  if (type.startsWith('host.')) return plural(count, `host ${markdownText(cutText(type.slice(5).replace(/[._]/g, ' '), 60))} alert`);
  return `${plural(count, 'event')} of type ${markdownText(cutText(type, 80))}`;
}

/** One line that says what an event was: its text's first line, its message, or its fields. */
function summaryText(event: BaristaEvent): string {
  const text = typeof event.text === 'string' ? event.text.trim() : '';
  const fields = fieldsOf(event);
  if (event.type === 'trader.error' || (text.includes('Traceback (most recent call last)') && text.includes('\n'))) return exceptionLine(event);
  if (typeof fields.message === 'string' && fields.message.trim() !== '') return fields.message.trim().split('\n', 1)[0];
  if (text !== '') return text.split('\n', 1)[0];
  return formatAny(fields, 200);
}

function listLine(event: BaristaEvent, withSubject: boolean, withType: boolean): string {
  const at = discordTime(event.at, 'T');
  const who = withSubject ? `${strong(subjectOf(event), 40)} ` : '';
  const what = withType ? `${markdownText(cutText(String(event.type).replace(/\s+/g, ' '), 40))}: ` : '';
  return `• ${at ? `${at} ` : ''}${who}${what}${markdownText(cutText(summaryText(event).replace(/\s+/g, ' '), 200))}`;
}

/** Counts per key as "name: n" lines, biggest first, within one field. */
function countsField(name: string, counts: Map<string, number>, format: (key: string) => string = (key) => markdownText(cutText(key, 60))): DiscordEmbedField {
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const lines = sorted.map(([key, count]) => `${format(key)}: ${formatCount(count)}`);
  return { name, value: budgetedLines(lines, lines.length, { budget: DISCORD_LIMITS.fieldValue, maxLines: 15 }), inline: true };
}

function countBy(events: readonly BaristaEvent[], key: (event: BaristaEvent) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(key(event), (counts.get(key(event)) ?? 0) + 1);
  return counts;
}

/** The list form: any events, one line each, with counts by subject and type when they differ. */
export function groupedListEmbed(events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions & { title?: string } = {}): DiscordEmbed {
  const maxRows = options.maxTableRows ?? DEFAULT_TABLE_ROWS;
  const range = timeRange(events);
  const severity = highestSeverity(events);
  const types = countBy(events, (event) => String(event.type));
  const subjects = distinctSubjects(events);
  const lines = function* () {
    for (const event of events) yield listLine(event, subjects > 1, types.size > 1);
  };
  const what = types.size === 1 ? countedNoun([...types.keys()][0], events.length) : plural(events.length, 'event');
  const fields: DiscordEmbedField[] = [];
  if (types.size > 1) fields.push(countsField('By type', types));
  if (subjects > 1) fields.push(countsField('By subject', countBy(events, subjectOf)));
  return {
    title: options.title ?? `${severityEmoji(severity)} ${what}${spanPhrase(range)} on ${groupSubject(events, labels)}`,
    description: [spanLine(range), budgetedLines(lines(), events.length, { budget: GROUP_TEXT_BUDGET, maxLines: maxRows })].filter(Boolean).join('\n'),
    color: severityColor(severity),
    ...(fields.length > 0 ? { fields } : {}),
    ...(latestAt(events) ? { timestamp: latestAt(events) } : {}),
    footer: { text: groupFooter(events) },
  };
}

/** Errors: distinct exception lines with their counts, then the latest traceback (its end). */
export function groupedErrorsEmbed(events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions = {}): DiscordEmbed {
  const maxRows = options.maxTableRows ?? DEFAULT_TABLE_ROWS;
  const range = timeRange(events);
  const severity = highestSeverity(events);
  const byException = countBy(events, (event) => exceptionLine(event).replace(/\s+/g, ' '));
  const sorted = [...byException.entries()].sort((a, b) => b[1] - a[1]);
  const lines = sorted.map(([line, count]) => `**×${formatCount(count)}** ${markdownText(cutText(line, 200))}`);
  const summary = budgetedLines(lines, lines.length, { budget: 1500, maxLines: maxRows });
  const withTrace = [...events].reverse().find((event) => typeof event.text === 'string' && event.text.includes('\n'));
  const head = [spanLine(range), summary].filter(Boolean).join('\n');
  const room = Math.min(2000, DISCORD_LIMITS.description - head.length - 30);
  const trace = withTrace && room > 100 ? `\nLatest traceback:\n${codeBlock(codeText(String(withTrace.text)), { maxLength: room, language: 'py', keep: 'tail' })}` : '';
  const fatal = events.filter(isFatal).length;
  const fields: DiscordEmbedField[] = [];
  if (fatal > 0) fields.push({ name: '🚨 Fatal', value: String(fatal), inline: true });
  const contexts = countBy(events, (event) => textOf(fieldsOf(event).context ?? 'none', 100));
  if (contexts.size > 1) fields.push(countsField('By context', contexts));
  if (distinctSubjects(events) > 1) fields.push(countsField('By subject', countBy(events, subjectOf)));
  const type = String(events[0]?.type ?? '');
  return {
    title: `${severityEmoji(severity)} ${countedNoun(events.every((event) => event.type === type) ? type : 'trader.error', events.length)}${spanPhrase(range)} on ${groupSubject(events, labels)}`,
    description: head + trace,
    color: severityColor(severity),
    ...(fields.length > 0 ? { fields } : {}),
    ...(latestAt(events) ? { timestamp: latestAt(events) } : {}),
    footer: { text: groupFooter(events) },
  };
}

/** Several snapshots of one trader: only the latest matters. */
export function latestSnapshotEmbed(events: readonly BaristaEvent[]): DiscordEmbed {
  const embed = snapshotEventEmbed(events[events.length - 1]);
  embed.description = [`Latest of ${plural(events.length, 'snapshot')}.`, embed.description].filter(Boolean).join('\n');
  return embed;
}
