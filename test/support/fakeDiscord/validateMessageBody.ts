/**
 * Checks a message body (create message, execute webhook, interaction reply, edit) the way
 * Discord does, and builds Discord's nested "Invalid Form Body" error object.
 * Pure: other tests use it to check what a renderer produces without a server.
 */
import { DISCORD_LIMITS as L } from './discordLimits';
import { checkComponents, IS_COMPONENTS_V2 } from './validateComponents';

export interface BodyProblem {
  /** Where, as Discord names it: ['embeds', 0, 'fields', 1, 'value']. */
  path: Array<string | number>;
  code: string;
  message: string;
}

export type MessageKind = 'channel' | 'webhook' | 'interaction' | 'edit';

export interface MessageCheck {
  problems: BodyProblem[];
  /** Neither non-blank content nor an embed (nor a file): Discord's 50006. */
  empty: boolean;
}

/** Length as Discord counts it (code points). */
export function discordLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const MENTION_TYPES = new Set(['users', 'roles', 'everyone']);

/**
 * All problems of a message body. `kind` adds what only some routes check: `nonce` for channel
 * messages, `username` for webhooks; `edit` does not require content (a partial update).
 */
export function checkMessageBody(body: unknown, kind: MessageKind = 'channel', fileCount = 0): MessageCheck {
  const problems: BodyProblem[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { problems: [{ path: [], code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }], empty: true };
  }
  const message = body as Record<string, unknown>;
  const add = (path: BodyProblem['path'], code: string, text: string): void => {
    problems.push({ path, code, message: text });
  };
  const maxLength = (path: BodyProblem['path'], value: unknown, max: number): void => {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    else if (discordLength(value) > max) add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  };

  maxLength(['content'], message.content, L.contentLength);

  let embedCount = 0;
  if (message.embeds !== undefined && message.embeds !== null) {
    if (!Array.isArray(message.embeds)) add(['embeds'], 'BASE_TYPE_LIST', 'Must be an array.');
    else {
      embedCount = message.embeds.length;
      if (embedCount > L.embedsPerMessage) add(['embeds'], 'BASE_TYPE_MAX_LENGTH', `Must be ${L.embedsPerMessage} or fewer in length.`);
      let total = 0;
      message.embeds.forEach((embed, i) => {
        total += checkEmbed(embed, ['embeds', i], add, maxLength);
      });
      if (total > L.embedTotalCharacters) add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${L.embedTotalCharacters}`);
    }
  }

  if (kind === 'channel' && message.nonce !== undefined && message.nonce !== null) {
    if (typeof message.nonce === 'number') {
      if (!Number.isInteger(message.nonce)) add(['nonce'], 'BASE_TYPE_INTEGER', 'Must be an integer.');
    } else maxLength(['nonce'], message.nonce, L.nonceLength);
  }
  if (kind === 'webhook' && message.username !== undefined && message.username !== null) {
    const name = message.username;
    if (typeof name !== 'string' || discordLength(name.trim()) < 1 || discordLength(name) > L.webhookUsername) {
      add(['username'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${L.webhookUsername} in length.`);
    } else {
      for (const word of ['discord', 'clyde']) {
        if (name.toLowerCase().includes(word)) add(['username'], `USERNAME_INVALID_CONTAINS`, `Username cannot contain "${word}"`);
      }
    }
  }
  checkAllowedMentions(message.allowed_mentions, add);
  if (typeof message.flags !== 'number' || (message.flags & IS_COMPONENTS_V2) === 0) checkComponents(message.components, add);

  const hasContent = typeof message.content === 'string' && message.content.trim().length > 0;
  const empty = kind !== 'edit' && !hasContent && embedCount === 0 && fileCount === 0 && !hasComponents(message);
  return { problems, empty };
}

/** The problems as readable lines (`embeds[0].fields[1].value: This field is required`), empty when Discord would accept the body. */
export function validateMessageBody(body: unknown, kind: MessageKind = 'channel'): string[] {
  const { problems, empty } = checkMessageBody(body, kind);
  const lines = problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
  if (empty) lines.push('Cannot send an empty message');
  return lines;
}

/** `['embeds', 0, 'title']` → `embeds[0].title`, the way discord.js prints Discord's errors. */
export function formatPath(path: BodyProblem['path']): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(body)';
}

/** Discord's nested error object: `{embeds: {"0": {title: {_errors: [{code, message}]}}}}`. */
export function formErrors(problems: BodyProblem[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const problem of problems) {
    let node = root;
    for (const part of problem.path) {
      const key = String(part);
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as Array<{ code: string; message: string }>;
    list.push({ code: problem.code, message: problem.message });
  }
  return root;
}

type Add = (path: BodyProblem['path'], code: string, text: string) => void;
type MaxLength = (path: BodyProblem['path'], value: unknown, max: number) => void;

/** Checks one embed; returns its characters toward the 6000 total. */
function checkEmbed(embed: unknown, at: BodyProblem['path'], add: Add, maxLength: MaxLength): number {
  if (embed === null || typeof embed !== 'object' || Array.isArray(embed)) {
    add(at, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return 0;
  }
  const e = embed as Record<string, unknown>;
  let total = 0;
  const count = (value: unknown): void => {
    if (typeof value === 'string') total += discordLength(value);
  };
  maxLength([...at, 'title'], e.title, L.embedTitle);
  count(e.title);
  maxLength([...at, 'description'], e.description, L.embedDescription);
  count(e.description);
  if (e.color !== undefined && e.color !== null) {
    if (typeof e.color !== 'number' || !Number.isInteger(e.color)) add([...at, 'color'], 'NUMBER_TYPE_COERCE', `Value "${String(e.color)}" is not int.`);
    else if (e.color < 0) add([...at, 'color'], 'NUMBER_TYPE_MIN', 'int value should be greater than or equal to 0.');
    else if (e.color > L.maxColor) add([...at, 'color'], 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${L.maxColor}.`);
  }
  if (e.timestamp !== undefined && e.timestamp !== null) {
    if (typeof e.timestamp !== 'string' || Number.isNaN(Date.parse(e.timestamp))) {
      add([...at, 'timestamp'], 'DATE_TIME_TYPE_PARSE', `Could not parse ${String(e.timestamp)}. Should be ISO8601.`);
    }
  }
  if (e.url !== undefined && e.url !== null && !isWellFormedUrl(e.url)) add([...at, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  if (e.footer !== undefined && e.footer !== null) {
    const footer = e.footer as Record<string, unknown>;
    if (typeof footer.text !== 'string' || footer.text.trim() === '') add([...at, 'footer', 'text'], 'BASE_TYPE_REQUIRED', 'This field is required');
    else maxLength([...at, 'footer', 'text'], footer.text, L.footerText);
    count(footer.text);
  }
  if (e.author !== undefined && e.author !== null) {
    const author = e.author as Record<string, unknown>;
    if (typeof author.name !== 'string' || author.name.trim() === '') add([...at, 'author', 'name'], 'BASE_TYPE_REQUIRED', 'This field is required');
    else maxLength([...at, 'author', 'name'], author.name, L.authorName);
    count(author.name);
  }
  if (e.fields !== undefined && e.fields !== null) {
    if (!Array.isArray(e.fields)) add([...at, 'fields'], 'BASE_TYPE_LIST', 'Must be an array.');
    else {
      if (e.fields.length > L.fieldsPerEmbed) add([...at, 'fields'], 'BASE_TYPE_MAX_LENGTH', `Must be ${L.fieldsPerEmbed} or fewer in length.`);
      e.fields.forEach((field: unknown, j: number) => {
        const f = (field ?? {}) as Record<string, unknown>;
        for (const [key, max] of [
          ['name', L.fieldName],
          ['value', L.fieldValue],
        ] as const) {
          const value = f[key];
          // Discord strips field text: blank is as missing.
          if (typeof value !== 'string' || value.trim() === '') add([...at, 'fields', j, key], 'BASE_TYPE_REQUIRED', 'This field is required');
          else maxLength([...at, 'fields', j, key], value, max);
          count(value);
        }
        if (f.inline !== undefined && typeof f.inline !== 'boolean') add([...at, 'fields', j, 'inline'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
      });
    }
  }
  return total;
}

function checkAllowedMentions(value: unknown, add: Add): void {
  if (value === undefined || value === null) return;
  const parse = (value as Record<string, unknown>).parse;
  if (parse === undefined) return;
  if (!Array.isArray(parse)) {
    add(['allowed_mentions', 'parse'], 'BASE_TYPE_LIST', 'Must be an array.');
    return;
  }
  parse.forEach((entry, i) => {
    if (typeof entry !== 'string' || !MENTION_TYPES.has(entry)) add(['allowed_mentions', 'parse', i], 'BASE_TYPE_CHOICES', `Value must be one of {'users', 'roles', 'everyone'}.`);
  });
}

function hasComponents(message: Record<string, unknown>): boolean {
  return Array.isArray(message.components) && message.components.length > 0;
}

function isWellFormedUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'attachment:';
  } catch {
    return false;
  }
}
