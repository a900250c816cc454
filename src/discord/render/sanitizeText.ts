/**
 * Makes text that came from the monitored system (log lines, field values, file names) safe to put
 * in a Discord message: secrets redacted, mentions that can never ping, no control characters,
 * and markdown that cannot break barista's own layout.
 *
 * Order matters: secrets are redacted on the raw text, before escaping inserts backslashes that
 * would hide a token from the redaction patterns.
 */
import { redactSecrets } from '../../logging/redactSecrets';

/** Invisible separator placed inside mentions so they never resolve (even for clients that ignore allowed_mentions). */
export const ZERO_WIDTH_SPACE = '\u200B';

// C0/C1 controls except tab and newline; DEL. Carriage returns are folded into newlines first.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// @everyone / @here (any case), <@id>, <@!id> (nickname), <@&id> (role).
const EVERYONE_OR_HERE = /@(everyone|here)/gi;
const USER_OR_ROLE_MENTION = /<@([!&]?\d)/g;

/** `@everyone`, `@here`, `<@123>`, `<@&123>` with a zero-width space after the `@`: shown alike, never a mention. Idempotent. */
export function neutralizeMentions(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(EVERYONE_OR_HERE, `@${ZERO_WIDTH_SPACE}$1`).replace(USER_OR_ROLE_MENTION, `<@${ZERO_WIDTH_SPACE}$1`);
}

/**
 * Redacted, without control characters or lone surrogates (Discord refuses invalid UTF-8), and
 * with mentions neutralised. Markdown untouched: use for plain-text places (footer, author) and as
 * the first step of the other helpers. Idempotent.
 */
export function sanitizeText(text: string): string {
  let out = redactSecrets(text);
  if (out.includes('\r')) out = out.replace(/\r\n?/g, '\n');
  out = out.replace(CONTROL_CHARACTERS, '').replace(LONE_SURROGATE, '\uFFFD');
  return neutralizeMentions(out);
}

// Characters that start or end Discord markdown anywhere in a line.
const INLINE_MARKDOWN = /[\\*_~`|[\]]/g;
// Line starts that make a heading, subtext, quote or list ("# ", "-# ", "> ", "- ", "+ ").
const LINE_START_MARKDOWN = /^([ \t]*)(#{1,3}|-#|>>>|>|[-+])(?=[ \t])/gm;
// "1. " starts a numbered list: the dot is escaped.
const NUMBERED_LIST = /^([ \t]*)(\d+)\.(?=[ \t])/gm;

/** Backslash-escapes markdown so the text shows as written and cannot open a style it does not close. */
export function escapeMarkdown(text: string): string {
  return text.replace(INLINE_MARKDOWN, '\\$&').replace(LINE_START_MARKDOWN, '$1\\$2').replace(NUMBERED_LIST, '$1$2\\.');
}

/** Untrusted text for a markdown place (title, description, field): sanitised and escaped. */
export function markdownText(text: string): string {
  return escapeMarkdown(sanitizeText(text));
}

/**
 * Untrusted text for the inside of a code block: sanitised, and every run of backticks broken by
 * zero-width spaces so it can never close the block (backslashes do not escape inside code).
 */
export function codeText(text: string): string {
  const clean = sanitizeText(text);
  return clean.includes('``') ? clean.replace(/`(?=`)/g, `\`${ZERO_WIDTH_SPACE}`) : clean;
}

// Characters Discord (or a client) may drop or show as nothing.
const BLANK = /^[\s\u200B-\u200D\u2060\uFEFF\u180E\u2800\u3164\u115F\u1160\uFFA0]*$/;

/** Empty, or only whitespace and invisible characters: Discord refuses such field names and values. */
export function isBlank(text: string | undefined | null): boolean {
  return text === undefined || text === null || BLANK.test(text);
}
