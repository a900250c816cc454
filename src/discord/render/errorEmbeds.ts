/**
 * Errors: the exception line in the title, what was going on in the lead, and the traceback (or
 * log line) in a code block that keeps its end when cut, where the exception is.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { cutText } from './discordLimits';
import { fieldsOf, type EventDesign } from './eventEmbed';
import { ownValue, strong, subjectOf } from './eventStyle';
import { discordTimeWithRelative } from './formatValues';
import { markdownText } from './sanitizeText';

const CONTEXTS: Record<string, string> = {
  processing_bars: 'while processing bars',
  fetch: 'while fetching market data',
  launch: 'at launch',
  startup: 'at start-up',
  failsafe: 'reported by the failsafe wrapper',
  discord: 'while posting to Discord',
  news: 'while checking news',
  macro: 'while adjusting for the macro regime',
  saved_state: 'while loading its saved state',
  sentiment: 'while starting the sentiment service',
  data_quality: 'in the data quality check',
};

function lines(text: unknown): string[] {
  return typeof text === 'string' ? text.split('\n').filter((line) => line.trim() !== '') : [];
}

/** The exception line: the `exception` field, else the text's last line (where Python prints it). */
export function exceptionLine(event: BaristaEvent): string {
  const exception = fieldsOf(event).exception;
  if (typeof exception === 'string' && exception.trim() !== '') return exception.trim();
  return lines(event.text).at(-1)?.trim() ?? 'Error';
}

export function isFatal(event: BaristaEvent): boolean {
  const fatal = fieldsOf(event).fatal;
  return fatal === true || fatal === 'true';
}

function errorEmoji(event: BaristaEvent): string {
  if (isFatal(event) || event.severity === 'critical') return '🚨';
  return event.severity === 'warning' ? '⚠️' : '❌';
}

/** The error's own text when it says more than the exception line. */
function errorText(event: BaristaEvent): string | null {
  const text = typeof event.text === 'string' ? event.text.trim() : '';
  if (text === '' || text === exceptionLine(event)) return null;
  return text;
}

/** An error event; `what` says whose error it is ("the trader", "a training worker"). */
export function errorDesign(what: (event: BaristaEvent) => string): EventDesign {
  return {
    title: (event) => `${errorEmoji(event)} ${markdownText(cutText(exceptionLine(event), 240))}`,
    lead(event) {
      const context = fieldsOf(event).context;
      const where = typeof context === 'string' && context !== '' ? ` ${ownValue(CONTEXTS, context) ?? `(${markdownText(cutText(context, 80))})`}` : '';
      const state = isFatal(event) ? 'stopped on an error' : 'hit an error';
      const first = `${strong(what(event))} ${state}${where}${isFatal(event) ? '' : '; it carries on'}.`;
      const at = discordTimeWithRelative(event.at);
      return at ? `${first}\n${at}` : first;
    },
    code(event) {
      const text = errorText(event);
      return text === null ? null : { text, language: text.includes('Traceback (most recent call last)') ? 'py' : '', keep: 'tail' };
    },
    // The exception and its type are in the title, context and fatal in the lead.
    hidden: ['exception', 'exception_type', 'context', 'fatal', 'trader'],
  };
}

export const traderErrorDesign = errorDesign((event) => subjectOf(event));
