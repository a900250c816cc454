/**
 * Discord's rules for a message body (webhook execute / create message), as a validator for tests.
 * Lengths are checked in UTF-16 code units, which is stricter than Discord (code points).
 * Beyond Discord's own 400s it checks barista's promises: nothing can ping, no secret shows,
 * code fences are balanced in every string.
 */
import { SUPPRESS_NOTIFICATIONS } from '../../../src/discord/DiscordMessage';
import { checkComponents } from '../../support/fakeDiscord/validateComponents';

export const LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, author: 256, total: 6000, embeds: 10, content: 2000 };

const MESSAGE_KEYS = new Set(['content', 'embeds', 'flags', 'allowed_mentions', 'components']);
const EMBED_KEYS = new Set(['title', 'description', 'url', 'color', 'timestamp', 'fields', 'footer', 'author', 'image']);
const FIELD_KEYS = new Set(['name', 'value', 'inline']);
// Discord strips these; a value of only these is "empty" (400).
const BLANK = /^[\s\u200B-\u200D\u2060\uFEFF\u180E\u2800\u3164\u115F\u1160\uFFA0]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PINGS = [/@everyone/i, /@here/i, /<@!?\d+>/, /<@&\d+>/];
const WEBHOOK_TOKEN = /\/webhooks\/\d{5,}\/[A-Za-z0-9_.-]{20,}/;
const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$/;

export interface RuleOptions {
  /** Exact strings that must not appear anywhere (tokens, webhook URLs). */
  secrets?: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every problem Discord (or barista's own rules) would have with this message; [] when valid. */
export function discordRuleViolations(message: unknown, options: RuleOptions = {}): string[] {
  const problems: string[] = [];
  if (!isObject(message)) return ['message is not an object'];
  for (const key of Object.keys(message)) if (!MESSAGE_KEYS.has(key)) problems.push(`unexpected message key ${key}`);

  const strings: [string, string][] = [];
  const text = (where: string, value: unknown, max: number, required: boolean): number => {
    if (value === undefined) {
      if (required) problems.push(`${where} is missing`);
      return 0;
    }
    if (typeof value !== 'string') {
      problems.push(`${where} is not a string`);
      return 0;
    }
    strings.push([where, value]);
    if (value.length > max) problems.push(`${where} is ${value.length} long (max ${max})`);
    if (required && BLANK.test(value)) problems.push(`${where} is empty or blank`);
    return value.length;
  };

  const mentions = message.allowed_mentions;
  if (!isObject(mentions) || !Array.isArray(mentions.parse) || mentions.parse.length !== 0 || Object.keys(mentions).length !== 1) problems.push('allowed_mentions is not { parse: [] }');
  if (message.flags !== undefined && (!Number.isInteger(message.flags) || ((message.flags as number) & ~(4 | SUPPRESS_NOTIFICATIONS)) !== 0)) problems.push(`flags ${String(message.flags)} not allowed`);
  // Buttons (bot messages): the fake Discord's own component rules.
  if (message.components !== undefined) checkComponents(message.components, (at, code, text) => void problems.push(`${at.join('.')}: ${code} ${text}`));
  text('content', message.content, LIMITS.content, false);
  const hasContent = typeof message.content === 'string' && !BLANK.test(message.content);

  const embeds = message.embeds;
  if (!Array.isArray(embeds)) problems.push('embeds is not an array');
  else {
    if (embeds.length > LIMITS.embeds) problems.push(`${embeds.length} embeds (max ${LIMITS.embeds})`);
    if (embeds.length === 0 && !hasContent) problems.push('empty message (no content, no embeds)');
    let total = 0;
    embeds.forEach((embed: unknown, e) => {
      const at = `embeds[${e}]`;
      if (!isObject(embed)) return problems.push(`${at} is not an object`);
      for (const key of Object.keys(embed)) if (!EMBED_KEYS.has(key)) problems.push(`unexpected key ${at}.${key}`);
      total += text(`${at}.title`, embed.title, LIMITS.title, false);
      total += text(`${at}.description`, embed.description, LIMITS.description, false);
      if (embed.title !== undefined && BLANK.test(String(embed.title))) problems.push(`${at}.title is blank`);
      if (embed.description !== undefined && BLANK.test(String(embed.description))) problems.push(`${at}.description is blank`);
      if (embed.color !== undefined && (!Number.isInteger(embed.color) || (embed.color as number) < 0 || (embed.color as number) > 0xffffff)) problems.push(`${at}.color ${String(embed.color)} invalid`);
      if (embed.timestamp !== undefined && (typeof embed.timestamp !== 'string' || !ISO_8601.test(embed.timestamp) || !Number.isFinite(Date.parse(embed.timestamp)))) problems.push(`${at}.timestamp ${String(embed.timestamp)} invalid`);
      if (embed.url !== undefined) {
        try {
          const url = new URL(String(embed.url));
          if (!['http:', 'https:'].includes(url.protocol)) problems.push(`${at}.url not http(s)`);
        } catch {
          problems.push(`${at}.url not a URL`);
        }
        strings.push([`${at}.url`, String(embed.url)]);
      }
      if (embed.image !== undefined) {
        const url = isObject(embed.image) ? embed.image.url : undefined;
        if (typeof url !== 'string' || !/^(https:\/\/\S+|attachment:\/\/[A-Za-z0-9_.-]+)$/.test(url)) problems.push(`${at}.image.url ${String(url)} invalid`);
        else strings.push([`${at}.image.url`, url]);
        if (isObject(embed.image)) for (const key of Object.keys(embed.image)) if (key !== 'url') problems.push(`unexpected key ${at}.image.${key}`);
      }
      if (embed.footer !== undefined) {
        if (!isObject(embed.footer)) problems.push(`${at}.footer is not an object`);
        else total += text(`${at}.footer.text`, embed.footer.text, LIMITS.footer, true);
      }
      if (embed.author !== undefined) {
        if (!isObject(embed.author)) problems.push(`${at}.author is not an object`);
        else total += text(`${at}.author.name`, embed.author.name, LIMITS.author, true);
      }
      const fields = embed.fields;
      if (fields !== undefined) {
        if (!Array.isArray(fields)) problems.push(`${at}.fields is not an array`);
        else {
          if (fields.length > LIMITS.fields) problems.push(`${at} has ${fields.length} fields (max ${LIMITS.fields})`);
          fields.forEach((field: unknown, f) => {
            const where = `${at}.fields[${f}]`;
            if (!isObject(field)) return problems.push(`${where} is not an object`);
            for (const key of Object.keys(field)) if (!FIELD_KEYS.has(key)) problems.push(`unexpected key ${where}.${key}`);
            total += text(`${where}.name`, field.name, LIMITS.fieldName, true);
            total += text(`${where}.value`, field.value, LIMITS.fieldValue, true);
            if (field.inline !== undefined && typeof field.inline !== 'boolean') problems.push(`${where}.inline is not a boolean`);
          });
        }
      }
      const hasFields = Array.isArray(fields) && fields.length > 0;
      if (embed.title === undefined && embed.description === undefined && !hasFields) problems.push(`${at} is empty`);
    });
    if (total > LIMITS.total) problems.push(`embeds hold ${total} characters (max ${LIMITS.total})`);
  }

  for (const [where, value] of strings) {
    if (LONE_SURROGATE.test(value)) problems.push(`${where} holds a lone surrogate (invalid UTF-8)`);
    for (const ping of PINGS) if (ping.test(value)) problems.push(`${where} can ping: ${ping}`);
    if ((value.split('```').length - 1) % 2 !== 0) problems.push(`${where} leaves a code block open`);
    if (WEBHOOK_TOKEN.test(value)) problems.push(`${where} shows a webhook token`);
    for (const secret of options.secrets ?? []) if (secret !== '' && value.includes(secret)) problems.push(`${where} shows a secret`);
  }
  return problems;
}

/** Total embed characters of a message (Discord's 6000 rule). */
export function embedCharacters(message: { embeds: { title?: string; description?: string; footer?: { text: string }; author?: { name: string }; fields?: { name: string; value: string }[] }[] }): number {
  return message.embeds.reduce(
    (sum, embed) => sum + (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0) + (embed.fields ?? []).reduce((s, f) => s + f.name.length + f.value.length, 0),
    0,
  );
}
