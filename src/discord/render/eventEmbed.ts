/**
 * The common shape of a single-event embed, filled from a per-type design: title, colour, a lead
 * paragraph, optionally a code block (a traceback, a log tail), the known fields with labels, then
 * every other field of the event so nothing is hidden. Timestamp = the event's time; footer =
 * subject · source.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbed, DiscordEmbedField } from '../DiscordMessage';
import { codeBlock, cutText, DISCORD_LIMITS } from './discordLimits';
import { eventFooter, severityColor } from './eventStyle';
import { discordTimeWithRelative, formatAny } from './formatValues';
import { codeText, markdownText } from './sanitizeText';

/** Formats one known field as markdown-safe text; null leaves the field out. */
export type FieldFormat = (value: unknown, event: BaristaEvent) => string | null;

export interface FieldSpec {
  /** The field's key, or keys tried in order (the first present one is shown). */
  key: string | readonly string[];
  label: string;
  /** Default: the value as text, escaped. */
  format?: FieldFormat;
  /** Default true. */
  inline?: boolean;
}

export interface CodeSection {
  /** Untrusted text (sanitised here). */
  text: string;
  language?: string;
  /** 'tail' for tracebacks and logs: their end matters most. */
  keep?: 'head' | 'tail';
}

export interface EventDesign {
  /** Markdown-safe title (build it with `markdownText` for untrusted parts). */
  title(event: BaristaEvent): string;
  color?(event: BaristaEvent): number | undefined;
  /** Markdown-safe description paragraph. */
  lead?(event: BaristaEvent): string | null;
  /** A code block after the lead. */
  code?(event: BaristaEvent): CodeSection | null;
  fields?: readonly FieldSpec[];
  /** Fields computed from the whole event, after the known ones (markdown-safe). */
  more?(event: BaristaEvent): DiscordEmbedField[];
  /** Keys never shown as extra fields (already in the title or lead). */
  hidden?: readonly string[];
}

/** Untrusted value → escaped text (the default field format). */
const plainField: FieldFormat = (value) => (value === undefined || value === null || value === '' ? null : markdownText(formatAny(value, DISCORD_LIMITS.fieldValue)));

/** Extra fields shown one by one; the rest share one "More fields" field. */
const MAX_EXTRA_FIELDS = 12;
/** Values longer than this (or multi-line) get a full-width field. */
const INLINE_LENGTH = 40;

/** The event's fields, or none when it has no usable fields object. */
export function fieldsOf(event: BaristaEvent): Record<string, unknown> {
  const fields: unknown = event.fields;
  return typeof fields === 'object' && fields !== null && !Array.isArray(fields) ? (fields as Record<string, unknown>) : {};
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** The known fields of `specs` that the event has, and the keys they used. */
function knownFields(event: BaristaEvent, specs: readonly FieldSpec[]): { fields: DiscordEmbedField[]; used: Set<string> } {
  const values = fieldsOf(event);
  const fields: DiscordEmbedField[] = [];
  const used = new Set<string>();
  for (const spec of specs) {
    const keys = typeof spec.key === 'string' ? [spec.key] : spec.key;
    keys.forEach((key) => used.add(key));
    const key = keys.find((k) => present(values[k]));
    if (key === undefined) continue;
    const text = (spec.format ?? plainField)(values[key], event);
    if (text === null || text === '') continue;
    fields.push({ name: spec.label, value: text, inline: spec.inline ?? true });
  }
  return { fields, used };
}

/** Keys whose whole numbers name something (a pid, an id, a trial): read as written, never "26,427". */
const IDENTIFIER_KEY = /(?:^|_)(?:pid|ppid|id|uid|gid|port|trial|number)$/;

/** An extra field's value as text: identifiers as written, anything else as formatAny does. */
function extraValueText(key: string, value: unknown, budget: number): string {
  return typeof value === 'number' && Number.isSafeInteger(value) && IDENTIFIER_KEY.test(key) ? String(value) : formatAny(value, budget);
}

/** Every field not used or hidden, by its own name; past a dozen they share one field. */
function extraFields(values: Record<string, unknown>, skip: ReadonlySet<string>): DiscordEmbedField[] {
  const entries = Object.entries(values).filter(([key, value]) => !skip.has(key) && present(value));
  const shown = entries.slice(0, MAX_EXTRA_FIELDS).map(([key, value]) => {
    const text = extraValueText(key, value, DISCORD_LIMITS.fieldValue);
    return { name: markdownText(cutText(key, DISCORD_LIMITS.fieldName)), value: markdownText(text), inline: text.length <= INLINE_LENGTH && !text.includes('\n') };
  });
  const rest = entries.slice(MAX_EXTRA_FIELDS);
  if (rest.length > 0) {
    const text = rest.map(([key, value]) => `${cutText(key, 60)}: ${extraValueText(key, value, 120)}`).join('\n');
    shown.push({ name: `${rest.length} more fields`, value: markdownText(cutText(text, DISCORD_LIMITS.fieldValue)), inline: false });
  }
  return shown;
}

/** The event's text as one short line (first line, cut), escaped; null without text. */
export function leadFromText(event: BaristaEvent, max = 300): string | null {
  const text = typeof event.text === 'string' ? event.text.trim() : '';
  if (text === '') return null;
  return markdownText(cutText(text.split('\n', 1)[0], max));
}

/** Lead lines followed by the event's time as `<t:…:f> (<t:…:R>)`; null when there is nothing. */
export function withEventTime(lines: readonly (string | null | undefined)[], event: BaristaEvent): string | null {
  return [...lines, discordTimeWithRelative(event.at)].filter(Boolean).join('\n') || null;
}

/** Lead and code block together within the description limit (the block gets what the lead leaves). */
function descriptionOf(lead: string | null, code: CodeSection | null): string | undefined {
  const parts: string[] = [];
  if (lead) parts.push(lead);
  if (code && code.text.trim() !== '') {
    const room = DISCORD_LIMITS.description - (lead ? lead.length + 1 : 0);
    if (room > 40) parts.push(codeBlock(codeText(code.text), { maxLength: room, language: code.language, keep: code.keep }));
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

export function designedEmbed(event: BaristaEvent, design: EventDesign): DiscordEmbed {
  const { fields, used } = knownFields(event, design.fields ?? []);
  for (const key of design.hidden ?? []) used.add(key);
  const description = descriptionOf(design.lead?.(event) ?? null, design.code?.(event) ?? null);
  return {
    title: design.title(event),
    ...(description !== undefined ? { description } : {}),
    color: design.color?.(event) ?? severityColor(event.severity),
    fields: [...fields, ...(design.more?.(event) ?? []), ...extraFields(fieldsOf(event), used)],
    timestamp: event.at,
    footer: { text: eventFooter(event) },
  };
}
