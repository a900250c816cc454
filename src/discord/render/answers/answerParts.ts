/**
 * Pieces every command answer uses: one reply message that surely fits, the trader state's
 * emoji, signed P&L, sizes, relative times and untrusted names made safe for markdown.
 */
import type { TraderState } from '../../../readModel/answers';
import type { DiscordEmbed, DiscordMessage } from '../../DiscordMessage';
import { cutText, DISCORD_LIMITS, embedLength, fitComponents, fitToDiscordLimits, type MessageDraft } from '../discordLimits';
import { oneLine, ownValue } from '../eventStyle';
import { discordTime, finiteNumber, formatCount, formatMoney, formatNumber, formatSignedPercent } from '../formatValues';
import { markdownText, sanitizeText } from '../sanitizeText';
import { tableCell } from '../textTable';

/** Amber: something needs a look (the alerts' warning colour). */
export const WARN_COLOR = 0xffaa00;

const STATE_EMOJI: Record<TraderState, string> = { running: '🟢', paused: '⏸️', stopped: '🔴', stale: '⏰', unknown: '❔' };

export function traderStateEmoji(state: unknown): string {
  return ownValue(STATE_EMOJI, state) ?? STATE_EMOJI.unknown;
}

const CUT_NOTE = '… (cut to fit one message)';

/**
 * A reply is one message (an interaction answers once). The renderers keep within Discord's
 * limits by design; should an answer still overflow, what fits is kept, in order, and the reply
 * says it was cut rather than spilling into a second message.
 */
export function fitOneMessage(draft: MessageDraft): DiscordMessage {
  const messages = fitToDiscordLimits(draft);
  if (messages.length === 1) return messages[0];
  if (messages.length === 0) return fitToDiscordLimits({ content: '—', embeds: [] })[0];
  const kept: DiscordEmbed[] = [];
  let room = DISCORD_LIMITS.embedCharacters;
  for (const embed of messages.flatMap((message) => message.embeds)) {
    if (kept.length === DISCORD_LIMITS.embeds) break;
    const { fields = [], ...rest } = embed;
    const base = embedLength(rest);
    if (base > room) break;
    room -= base;
    const keptFields = [];
    for (const field of fields) {
      const length = field.name.length + field.value.length;
      if (length > room) break;
      keptFields.push(field);
      room -= length;
    }
    kept.push(keptFields.length > 0 ? { ...rest, fields: keptFields } : rest);
    if (keptFields.length < fields.length) break;
  }
  const first = messages[0];
  const components = draft.components ? fitComponents(draft.components) : [];
  return { content: CUT_NOTE, embeds: kept, ...(draft.components ? { components } : {}), ...(first.flags !== undefined ? { flags: first.flags } : {}), allowed_mentions: { parse: [] } };
}

/** An untrusted name for markdown: one line, cut, escaped, never blank. */
export function safeName(text: unknown, max = 80): string {
  // Redacted before the cut: a cut secret is no longer recognised as one.
  return markdownText(oneLine(sanitizeText(typeof text === 'string' ? text : String(text ?? '')), max, '?'));
}

/** Untrusted text for a monospace table cell: redacted first, then cut (codeTable sanitises the rest). */
export function cell(text: unknown, max = 14): string {
  return tableCell(sanitizeText(typeof text === 'string' ? text : String(text ?? '')), max);
}

/**
 * Untrusted text as inline code: one line, cut, backticks shown as ˋ (a backtick would end the
 * code span early; inside code nothing else needs escaping). Never blank.
 */
export function inlineCode(text: unknown, max = 80): string {
  const flat = oneLine(sanitizeText(typeof text === 'string' ? text : String(text ?? '')).replace(/`/g, 'ˋ'), max, '?');
  // A cut may end on a backslash, harmless in code; a space at either end would be trimmed by Discord.
  return `\`${flat}\``;
}

/** A path kept by its end (the file name matters most), one line, at most `max`. */
export function pathTail(path: string, max = 90): string {
  // Redacted before the cut: cut from its start, a webhook URL would keep its token and lose the part that marks it.
  const flat = sanitizeText(path).replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : cutText(flat, max, 'tail');
}

/** `<t:…:R>` ("5 minutes ago" in the reader's client), or `fallback` when not a time. */
export function relativeTime(at: number | null | undefined, fallback = '—'): string {
  return at === null || at === undefined ? fallback : (discordTime(at, 'R') ?? fallback);
}

/** 🟢 / 🔴 by sign (zero counts as gain: nothing lost). Null when not a finite number. */
export function signEmoji(amount: unknown): string | null {
  const value = finiteNumber(amount);
  return value === null ? null : value >= 0 ? '🟢' : '🔴';
}

/** +$12.34 / -$5.00. */
export function signedMoney(amount: unknown): string {
  const value = finiteNumber(amount);
  if (value === null) return formatMoney(amount);
  return `${value >= 0 ? '+' : '-'}${formatMoney(Math.abs(value))}`;
}

/** 🟢 +$12.34 (+2.47%), markdown-safe; "—" when unknown. */
export function pnlText(pnl: { amount: number; percent: number | null } | null | undefined): string {
  if (pnl === null || pnl === undefined) return '—';
  const emoji = signEmoji(pnl.amount) ?? signEmoji(pnl.percent);
  const percent = pnl.percent === null || finiteNumber(pnl.percent) === null ? '' : ` (${formatSignedPercent(pnl.percent)})`;
  return markdownText(`${emoji ? `${emoji} ` : ''}${signedMoney(pnl.amount)}${percent}`);
}

/** 12.5% (one decimal), or null when unknown. */
export function percentText(value: unknown, fractionDigits = 1): string | null {
  const number = finiteNumber(value);
  return number === null ? null : `${formatNumber(number, fractionDigits)}%`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 512 B, 350 MB, 1.2 GB (powers of 1024, as top and free show them); null when unknown. */
export function formatBytes(value: unknown): string | null {
  const bytes = finiteNumber(value);
  if (bytes === null || bytes < 0) return null;
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < UNITS.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${formatNumber(size, size >= 100 || unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

/** The answer's time as the embed timestamp (Discord shows it in the reader's zone). */
export function timestampOf(ms: number): { timestamp: string } | Record<string, never> {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? { timestamp: new Date(ms).toISOString() } : {};
}

/**
 * Lines (already markdown-safe) within `budget` characters, at most `maxLines`, the rest counted
 * as "… and N more <noun>". Lines are kept whole: a line too long for what is left ends the list.
 */
export function linesWithin(lines: readonly string[], budget: number, maxLines: number, noun = ''): string {
  const kept: string[] = [];
  let used = 0;
  const reserve = 40;
  for (const line of lines) {
    if (kept.length >= maxLines) break;
    if (used + line.length + 1 > budget - reserve) {
      // One huge line (a 10 KB name) is cut rather than hiding every line.
      if (kept.length === 0) kept.push(cutText(line, budget - reserve));
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  const left = lines.length - kept.length;
  if (left > 0) kept.push(`… and ${formatCount(left)} more${noun ? ` ${noun}` : ''}`);
  return kept.join('\n');
}
