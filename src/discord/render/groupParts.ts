/**
 * Pieces every grouped embed uses: who the group is about, the time span, a budgeted list or
 * monospace table that ends with "… and N more", and the footer.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { codeBlock, cutText } from './discordLimits';
import { footerOf, subjectOf, traderName } from './eventStyle';
import { discordTime, formatCount, formatSpan, plural, timeOf, utcClock } from './formatValues';
import { codeText, markdownText } from './sanitizeText';
import { textTable } from './textTable';

export interface GroupOptions {
  /** Most rows in a grouped table or list (default 40); the rest are counted in "… and N more". */
  maxTableRows?: number;
}

export const DEFAULT_TABLE_ROWS = 40;
/** Room for a grouped table or list in the description: with the fields, a message stays under 6000. */
export const GROUP_TEXT_BUDGET = 3000;

/** "trial250", or "3 traders" when the group spans several (markdown-safe). */
export function groupSubject(events: readonly BaristaEvent[], labels: Record<string, string>, noun = 'subjects'): string {
  const labelled = labels?.subject ?? labels?.trader ?? labels?.study;
  if (typeof labelled === 'string' && labelled.trim() !== '') return markdownText(cutText(traderName(labelled), 100));
  const subjects = new Set(events.map(subjectOf));
  if (subjects.size === 1) return markdownText(cutText([...subjects][0] || 'unknown', 100));
  return plural(subjects.size, noun.replace(/s$/, ''), noun);
}

export function distinctSubjects(events: readonly BaristaEvent[]): number {
  return new Set(events.map(subjectOf)).size;
}

/** First and last valid event times (ms), or null. */
export function timeRange(events: readonly BaristaEvent[]): { from: number; to: number } | null {
  let from = Infinity;
  let to = -Infinity;
  for (const event of events) {
    const ms = timeOf(event.at);
    if (ms === null) continue;
    if (ms < from) from = ms;
    if (ms > to) to = ms;
  }
  return from === Infinity ? null : { from, to };
}

/** " in 2 min" for titles, or "" when the events share one moment. */
export function spanPhrase(range: { from: number; to: number } | null): string {
  const span = range === null ? null : formatSpan(range.from, range.to);
  return span === null ? '' : ` in ${span}`;
}

/** "<t:…:f> → <t:…:T>" or "At <t:…:f>", with a relative time. */
export function spanLine(range: { from: number; to: number } | null): string | null {
  if (range === null) return null;
  const relative = discordTime(range.to, 'R');
  if (range.to - range.from < 1000) return `At ${discordTime(range.from, 'f')} (${relative})`;
  const sameDay = new Date(range.from).toISOString().slice(0, 10) === new Date(range.to).toISOString().slice(0, 10);
  return `${discordTime(range.from, 'f')} → ${discordTime(range.to, sameDay ? 'T' : 'f')} (${relative})`;
}

/** Table time column: HH:MM:SS, or MM-DD HH:MM when the rows span days (UTC; code blocks cannot show <t:…>). */
export function tableClock(range: { from: number; to: number } | null): (at: unknown) => string {
  const multiDay = range !== null && new Date(range.from).toISOString().slice(0, 10) !== new Date(range.to).toISOString().slice(0, 10);
  return (at) => {
    const ms = timeOf(at);
    if (ms === null) return '—';
    return multiDay ? new Date(ms).toISOString().slice(5, 16).replace('T', ' ') : utcClock(ms);
  };
}

/**
 * A monospace table in a code block of at most `budget` characters, with as many rows as fit
 * (at most `maxRows`) and a last line "… and N more" counting the rest. Rows are untrusted text.
 */
export function codeTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly boolean[], options: { budget: number; maxRows: number; totalRows?: number }): string {
  const total = options.totalRows ?? rows.length;
  for (let shown = Math.min(rows.length, options.maxRows); shown >= 0; shown = shown > 8 ? Math.floor(shown * 0.8) : shown - 1) {
    const lines = textTable(header, rows.slice(0, shown), rightAligned);
    if (shown < total) lines.push(`… and ${formatCount(total - shown)} more`);
    const body = codeText(lines.join('\n'));
    if (body.length + 8 <= options.budget) return codeBlock(body, { maxLength: options.budget });
  }
  return codeBlock(codeText(`${formatCount(total)} rows`), { maxLength: options.budget });
}

/**
 * Markdown lines (already safe) joined within `budget`, as many as fit (at most `maxLines`), then
 * "… and N more" counting every line not shown out of `total`.
 */
export function budgetedLines(lines: Iterable<string>, total: number, options: { budget: number; maxLines: number }): string {
  const kept: string[] = [];
  let used = 0;
  const reserve = 40;
  for (const line of lines) {
    if (kept.length >= options.maxLines || used + line.length + 1 > options.budget - reserve) break;
    kept.push(line);
    used += line.length + 1;
  }
  if (kept.length < total) kept.push(`… and ${formatCount(total - kept.length)} more`);
  return kept.join('\n');
}

/** Footer of a grouped embed: subjects · sources · N events. */
export function groupFooter(events: readonly BaristaEvent[]): string {
  return footerOf(
    events.map((event) => String(event.subject ?? '')),
    events.map((event) => String(event.source ?? '')),
    plural(events.length, 'event'),
  );
}

/** The latest valid event time as ISO, for the embed timestamp. */
export function latestAt(events: readonly BaristaEvent[]): string | undefined {
  const range = timeRange(events);
  return range === null ? undefined : new Date(range.to).toISOString();
}
