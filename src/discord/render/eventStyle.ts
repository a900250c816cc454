/** Colours, emoji and names shared by every renderer, so the same severity always looks the same. */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { cutText } from './discordLimits';
import { isBlank, markdownText } from './sanitizeText';

export const COLORS = {
  buy: 0x2ecc71,
  sell: 0xe74c3c,
  good: 0x2ecc71,
  bad: 0xe74c3c,
  neutral: 0x95a5a6,
  training: 0x9b59b6,
  portfolio: 0x3498db,
} as const;

/** `record[key]` for the record's own keys only: a type or action named "constructor" finds nothing. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

const SEVERITY_COLORS: Record<string, number> = {
  debug: 0x95a5a6,
  info: 0x3498db,
  notice: 0x1abc9c,
  warning: 0xffaa00,
  error: 0xe74c3c,
  critical: 0x992d22,
};

const SEVERITY_EMOJI: Record<string, string> = {
  debug: '🔹',
  info: 'ℹ️',
  notice: '🔔',
  warning: '⚠️',
  error: '❌',
  critical: '🚨',
};

const SEVERITY_RANK: Record<string, number> = { debug: 0, info: 1, notice: 2, warning: 3, error: 4, critical: 5 };

export function severityColor(severity: unknown): number {
  return ownValue(SEVERITY_COLORS, severity) ?? SEVERITY_COLORS.info;
}

export function severityEmoji(severity: unknown): string {
  return ownValue(SEVERITY_EMOJI, severity) ?? SEVERITY_EMOJI.info;
}

/** The most severe of some events' severities (unknown ones count as info). */
export function highestSeverity(events: readonly BaristaEvent[]): string {
  let best = 'debug';
  for (const event of events) if ((ownValue(SEVERITY_RANK, event.severity) ?? 1) > SEVERITY_RANK[best]) best = ownValue(SEVERITY_RANK, event.severity) === undefined ? 'info' : event.severity;
  return best;
}

/** A trader as people call it: the CSV stem without "_session" (trial250_session → trial250). */
export function traderName(subject: string): string {
  return subject.replace(/_session$/, '') || subject;
}

/** One line, trimmed, cut, never blank: a name that can sit in a title or between bold markers. */
export function oneLine(text: string, max = 100, fallback = 'unknown'): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return isBlank(flat) ? fallback : cutText(flat, max);
}

/** Untrusted text in bold: one line, escaped (blank or padded text would show the asterisks). */
export function strong(text: string, max = 100): string {
  return `**${markdownText(oneLine(text, max, '?'))}**`;
}

/** What an event is about, for titles: its trader or study field when it names one, else its subject. One line. */
export function subjectOf(event: BaristaEvent): string {
  const fields = event.fields ?? {};
  for (const key of ['trader', 'study'] as const) {
    const value = fields[key];
    if (typeof value === 'string' && !isBlank(value)) return key === 'trader' ? traderName(oneLine(value)) : oneLine(value);
  }
  return traderName(oneLine(String(event.subject ?? '')));
}

/** Footer: subject · source (plain text; kept short so it never crowds out the description). */
export function footerOf(subjects: readonly string[], sources: readonly string[], extra?: string): string {
  const list = (values: readonly string[]) => {
    const unique = [...new Set(values.filter((v) => typeof v === 'string' && !isBlank(v)).map((v) => oneLine(v, 80)))];
    return unique.length <= 3 ? unique.join(', ') : `${unique.slice(0, 2).join(', ')} +${unique.length - 2}`;
  };
  return [list(subjects), list(sources), extra].filter((part) => part !== undefined && part !== '').join(' · ') || 'barista';
}

export function eventFooter(event: BaristaEvent): string {
  return footerOf([String(event.subject ?? '')], [String(event.source ?? '')]);
}

/** "snake_case" / "dotted.name" → "Snake case". */
export function humanize(name: string): string {
  const words = name.replace(/[._]+/g, ' ').trim();
  return words === '' ? name : words[0].toUpperCase() + words.slice(1);
}
