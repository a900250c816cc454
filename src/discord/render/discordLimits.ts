/**
 * Discord's message limits, enforced in this one place. Renderers build messages without worrying
 * about sizes; `fitToDiscordLimits` makes every string fit (cut with "…", code blocks kept
 * closed), never leaves a field name or value blank, moves fields that do not fit to further
 * embeds and embeds that do not fit to further messages.
 *
 * Lengths are counted in UTF-16 code units (`string.length`). Discord counts code points, which
 * are never more, so a message that fits here fits there.
 */
import { SUPPRESS_NOTIFICATIONS, type DiscordActionRow, type DiscordEmbed, type DiscordEmbedField, type DiscordMessage } from '../DiscordMessage';
import { codeText, isBlank, sanitizeText } from './sanitizeText';

export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Title, description, field names and values, footer and author of all embeds of one message. */
  embedCharacters: 6000,
  embeds: 10,
  content: 2000,
  url: 2048,
  /** Action rows per message, buttons per row, a button's label and custom_id. */
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
} as const;

export const ELLIPSIS = '…';
/** Stands in for an empty field name or value (Discord refuses those). */
export const PLACEHOLDER = '—';
const FENCE = '```';
/** Flags a webhook or bot message may carry: SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS. */
const ALLOWED_FLAGS = 4 | SUPPRESS_NOTIFICATIONS;

/** A message as renderers build it, before it is made to fit. */
export interface MessageDraft {
  content?: string;
  embeds: DiscordEmbed[];
  flags?: number;
  /** Buttons: they go on the last message of the draft. */
  components?: DiscordActionRow[];
}

// ------------------------------------------------------------------------------------ cutting text

/** Number of ``` fences in a text: odd means a code block is left open. */
export function fenceCount(text: string): number {
  return text.split(FENCE).length - 1;
}

/** `text` cut at `end` without splitting a surrogate pair. */
function headOf(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

/** The last `count` units of `text` without splitting a surrogate pair. */
function tailOf(text: string, count: number): string {
  const start = text.length - count;
  const code = text.charCodeAt(start);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
}

/** A cut must not end inside a fence's backticks or on a lone escaping backslash (it would escape "…"). */
function cleanCutEnd(text: string): string {
  const backticks = /`+$/.exec(text)?.[0].length ?? 0;
  let out = backticks % 3 === 0 ? text : text.slice(0, text.length - (backticks % 3));
  const slashes = /\\+$/.exec(out)?.[0].length ?? 0;
  if (slashes % 2 === 1) out = out.slice(0, -1);
  return out;
}

/**
 * `text` in at most `max` units. Keeping the head (default), it ends with "…", and a code block the
 * cut leaves open is closed. Keeping the tail (for logs and tracebacks, whose end matters most), it
 * starts with "…", at a line start when one is near; the text must then hold no fence.
 */
export function cutText(text: string, max: number, keep: 'head' | 'tail' = 'head'): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  if (max === 1) return ELLIPSIS;
  if (keep === 'tail') {
    let kept = tailOf(text, max - ELLIPSIS.length);
    const lineStart = kept.indexOf('\n');
    if (lineStart >= 0 && lineStart < kept.length / 4) kept = kept.slice(lineStart);
    return ELLIPSIS + kept;
  }
  const closing = `${ELLIPSIS}\n${FENCE}`;
  // At most two rounds: the second leaves room for the closing fence.
  for (let room = max - ELLIPSIS.length; ; room = max - closing.length) {
    const kept = cleanCutEnd(headOf(text, Math.max(0, room)));
    if (fenceCount(kept) % 2 === 0) return kept + ELLIPSIS;
    if (kept.length + closing.length <= max) return kept + closing;
  }
}

/**
 * A code block of at most `maxLength` units holding untrusted `text` (sanitised; backtick runs
 * broken so it cannot close early). Cut with "…" at the end, or at the start with `keep: 'tail'`.
 * `text` must already have gone through `codeText` (see sanitizeText.ts).
 */
export function codeBlock(safeText: string, options: { maxLength?: number; language?: string; keep?: 'head' | 'tail' } = {}): string {
  const language = options.language ?? '';
  const open = `${FENCE}${language}\n`;
  const close = `\n${FENCE}`;
  const room = (options.maxLength ?? DISCORD_LIMITS.description) - open.length - close.length;
  if (room < 2) return ELLIPSIS;
  const body = safeText.length === 0 ? ' ' : cutText(safeText, room, options.keep ?? 'head');
  return open + body + close;
}

// ------------------------------------------------------------------------------------ fitting

/** Characters an embed counts against the message's 6000. */
export function embedLength(embed: DiscordEmbed): number {
  let length = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const field of embed.fields ?? []) length += field.name.length + field.value.length;
  return length;
}

/** A string for an optional place: sanitised, cut, and undefined when nothing visible is left. */
function fitOptional(text: unknown, max: number): string | undefined {
  if (typeof text !== 'string') return undefined;
  const fitted = cutText(sanitizeText(text), max);
  return isBlank(fitted) ? undefined : fitted;
}

/** A string for a required place (field name or value): never blank. */
function fitRequired(text: unknown, max: number): string {
  return fitOptional(typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text), max) ?? PLACEHOLDER;
}

function plainText(text: unknown): unknown {
  return typeof text === 'string' ? codeText(text) : text;
}

function validColor(color: unknown): number | undefined {
  return typeof color === 'number' && Number.isInteger(color) && color >= 0 && color <= 0xffffff ? color : undefined;
}

function validTimestamp(timestamp: unknown): string | undefined {
  if (typeof timestamp !== 'string') return undefined;
  const ms = Date.parse(timestamp);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  // Years before 0 or after 9999 come out as ±YYYYYY, which is not the ISO 8601 Discord parses.
  const iso = new Date(ms).toISOString();
  return /^\d{4}-/.test(iso) ? iso : undefined;
}

function validUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length > DISCORD_LIMITS.url || !/^https?:\/\/\S+$/.test(url)) return undefined;
  // A URL that holds a secret or a mention is dropped rather than shown redacted (and broken).
  if (sanitizeText(url) !== url) return undefined;
  try {
    new URL(url);
    return url;
  } catch {
    return undefined;
  }
}

/** Discord matches `attachment://` to an uploaded file by its exact name: plain names only. */
const ATTACHMENT_URL = /^attachment:\/\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.(png|jpe?g|gif|webp)$/;

function validImageUrl(url: unknown): string | undefined {
  return typeof url === 'string' && ATTACHMENT_URL.test(url) ? url : validUrl(url);
}

function continuedTitle(title: string | undefined): string {
  const suffix = ' (continued)';
  return title === undefined ? suffix.trim() : cutText(title, DISCORD_LIMITS.title - suffix.length) + suffix;
}

/**
 * One embed as one or more embeds that each fit: strings cut, at most 25 fields and 6000
 * characters each. Fields that do not fit go, in order, to continuation embeds titled
 * "… (continued)"; the footer and timestamp go on the last one, the image on the first. An image
 * URL that is neither https nor a plain `attachment://name.png` is dropped.
 */
export function fitEmbed(embed: DiscordEmbed): DiscordEmbed[] {
  const title = fitOptional(embed.title, DISCORD_LIMITS.title);
  // Footers and authors show no markdown; backtick runs are broken anyway, so no string of a message holds a stray fence.
  const footer = fitOptional(plainText(embed.footer?.text), DISCORD_LIMITS.footer);
  const author = fitOptional(plainText(embed.author?.name), DISCORD_LIMITS.author);
  const color = validColor(embed.color);
  const timestamp = validTimestamp(embed.timestamp);
  const url = title === undefined ? undefined : validUrl(embed.url);
  const image = validImageUrl(embed.image?.url);
  const fields: DiscordEmbedField[] = (Array.isArray(embed.fields) ? embed.fields : []).map((field) => ({
    name: fitRequired(field?.name, DISCORD_LIMITS.fieldName),
    value: fitRequired(field?.value, DISCORD_LIMITS.fieldValue),
    ...(typeof field?.inline === 'boolean' ? { inline: field.inline } : {}),
  }));
  const fixed = (title?.length ?? 0) + (footer?.length ?? 0) + (author?.length ?? 0);
  const descriptionRoom = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.embedCharacters - fixed);
  let description = fitOptional(embed.description, descriptionRoom);
  if (description === undefined && title === undefined && fields.length === 0) description = PLACEHOLDER;

  const first: DiscordEmbed = {
    ...(title !== undefined ? { title } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(color !== undefined ? { color } : {}),
    ...(author !== undefined ? { author: { name: author } } : {}),
    ...(image !== undefined ? { image: { url: image } } : {}),
  };
  const parts: { embed: DiscordEmbed; fields: DiscordEmbedField[] }[] = [{ embed: first, fields: [] }];
  // The footer is counted in every part: it goes on the last, which is only known at the end.
  const footerLength = footer?.length ?? 0;
  let size = embedLength(first) + footerLength;
  for (const field of fields) {
    const part = parts[parts.length - 1];
    const fieldLength = field.name.length + field.value.length;
    if (part.fields.length === DISCORD_LIMITS.fields || size + fieldLength > DISCORD_LIMITS.embedCharacters) {
      const next: DiscordEmbed = { title: continuedTitle(title), ...(color !== undefined ? { color } : {}) };
      parts.push({ embed: next, fields: [] });
      size = embedLength(next) + footerLength;
    }
    parts[parts.length - 1].fields.push(field);
    size += fieldLength;
  }
  const fitted = parts.map(({ embed: part, fields: partFields }) => (partFields.length > 0 ? { ...part, fields: partFields } : part));
  const last = fitted[fitted.length - 1];
  if (footer !== undefined) last.footer = { text: footer };
  if (timestamp !== undefined) last.timestamp = timestamp;
  return fitted;
}

/**
 * A draft as messages Discord accepts: every embed fitted, embeds packed in order into messages of
 * at most 10 embeds and 6000 characters, the content (cut to 2000) on the first one. Every message
 * carries `allowed_mentions: { parse: [] }` and the draft's (allowed) flags. Nothing to send gives [].
 */
export function fitToDiscordLimits(draft: MessageDraft): DiscordMessage[] {
  const content = fitOptional(draft.content, DISCORD_LIMITS.content);
  const flags = (draft.flags ?? 0) & ALLOWED_FLAGS;
  const groups: DiscordEmbed[][] = [];
  let current: DiscordEmbed[] = [];
  let size = 0;
  for (const part of draft.embeds.flatMap(fitEmbed)) {
    const length = embedLength(part);
    if (current.length === DISCORD_LIMITS.embeds || (current.length > 0 && size + length > DISCORD_LIMITS.embedCharacters)) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(part);
    size += length;
  }
  if (current.length > 0 || content !== undefined) groups.push(current);
  const components = draft.components ? fitComponents(draft.components) : [];
  if (components.length > 0 && groups.length === 0) groups.push([]);
  return groups.map((embeds, index) => ({
    ...(index === 0 && content !== undefined ? { content } : {}),
    ...(index === 0 && content === undefined && embeds.length === 0 ? { content: PLACEHOLDER } : {}),
    embeds,
    // Given but empty: an edit that takes the buttons away (Discord keeps them when left out).
    ...(index === groups.length - 1 && draft.components ? { components } : {}),
    ...(flags !== 0 ? { flags } : {}),
    allowed_mentions: { parse: [] },
  }));
}

/**
 * Buttons as Discord accepts them: at most 5 rows of 1–5 buttons, labels cut to 80 (never
 * blank), custom ids unique. A custom id is barista's own (never user text): one over 100
 * characters is a bug, so it throws rather than sending a button that names nothing.
 */
export function fitComponents(rows: readonly DiscordActionRow[]): DiscordActionRow[] {
  const seen = new Set<string>();
  const out: DiscordActionRow[] = [];
  for (const row of rows) {
    if (out.length === DISCORD_LIMITS.actionRows) break;
    const buttons = [];
    for (const button of row.components) {
      if (buttons.length === DISCORD_LIMITS.buttonsPerRow) break;
      if (button.custom_id.length === 0 || button.custom_id.length > DISCORD_LIMITS.customId) throw new Error(`a button custom_id must be 1–${DISCORD_LIMITS.customId} characters`);
      if (seen.has(button.custom_id)) continue;
      seen.add(button.custom_id);
      const label = sanitizeText(button.label).replace(/\s+/g, ' ').trim();
      buttons.push({ ...button, label: isBlank(label) ? PLACEHOLDER : cutText(label, DISCORD_LIMITS.buttonLabel) });
    }
    if (buttons.length > 0) out.push({ type: 1, components: buttons });
  }
  return out;
}
