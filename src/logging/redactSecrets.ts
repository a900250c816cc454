/**
 * Removes credentials (Discord tokens, webhook URLs, passwords in URLs) from any text before barista logs or relays it.
 *
 * Three nets, because a Python program prints secrets in many ways (repr, json.dumps with `\/`,
 * urllib.parse.quote once or twice, base64, hex, a line wrapped mid-token):
 * - exact values registered at start-up (configured tokens, webhook URLs and their tokens,
 *   secret-named environment variables, URL passwords), in every encoding of `encodedForms`,
 *   and any long enough piece of one (a token cut by wrapping or a length limit);
 * - patterns for credentials barista was never told about (a webhook URL in a relayed line,
 *   with `/` written as `%2F`, `%252F` or `\/`; bot tokens; auth headers; a bare webhook token;
 *   a URL's password);
 * - long base64 and hex runs are decoded and redacted whole when what they hide holds a secret.
 */

export const REDACTED = '[REDACTED]';

// .../webhooks/<id>/<token>, on any host (DISCORD_API_BASE may point elsewhere), with `/` as is,
// JSON-escaped or URL-encoded once or twice.
const SLASH = String.raw`(?:\/|\\\\?\/|%2F|%252F)`;
const WEBHOOK_TOKEN = new RegExp(String.raw`(webhooks${SLASH}\d{5,}${SLASH})[A-Za-z0-9_.-]{20,}`, 'gi');
// Bot tokens: base64(user id) . base64(timestamp) . HMAC.
// No boundary before it: glued to other token characters (`Bot_MTA…`), its tail is still a token.
const BOT_TOKEN = /[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}\b/g;
// "Authorization: Bot xxx" / "Bearer xxx" headers echoed by HTTP error messages.
const AUTH_HEADER = /\b(Bot|Bearer)\s+[A-Za-z0-9_.-]{20,}/g;
// A webhook token on its own: Discord's are 68 base64url characters, of mixed case and digits
// (after a %XX escape too: `%20<token>` is a space before it).
const BARE_WEBHOOK_TOKEN = /(?<=^|[^A-Za-z0-9_-]|%(?:25)?[0-9A-Fa-f]{2})(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{68}(?![A-Za-z0-9_-])/g;
// scheme://user:password@host: a database or broker URL's password (an Optuna storage URL). The
// password may itself hold `:@/`: it runs to the last `@` of the URL.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)\S*@(?=[^@\s]*(?:\s|$))/gi;
// Encoded runs long enough to hide a token (a 59-char bot token is 80 in base64, 118 in hex).
const BASE64_RUN = /[A-Za-z0-9+/_-]{40,}={0,2}/g;
const HEX_RUN = /[0-9a-fA-F]{48,}/g;

/** The `//user:password@` part of any URL with its password replaced (messages, errors, logs). */
export function redactUrlPassword(text: string): string {
  return text.includes('://') && text.includes('@') ? text.replace(URL_PASSWORD, `$1${REDACTED}@`) : text;
}

/** A piece of a registered secret this long is redacted wherever it appears. */
export const FRAGMENT_LENGTH = 16;

const knownForms = new Set<string>();
/** Every FRAGMENT_LENGTH-long piece of the registered secrets (raw, hex). */
const fragments = new Set<string>();

/**
 * The ways a program may print `value`: as is, URL-encoded (once, twice, keeping `/` as
 * Python's quote does, lower-case escapes), JSON-escaped, base64 (both alphabets, the three
 * byte alignments it may sit at inside a longer encoded text: the stable middle) and hex.
 */
export function encodedForms(value: string): string[] {
  const once = encodeURIComponent(value);
  const forms = [
    value,
    once,
    encodeURIComponent(once),
    once.replace(/%2F/g, '/'),
    value.replace(/\//g, '\\/'),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString('hex'),
    Buffer.from(value).toString('hex').toUpperCase(),
  ];
  for (const form of [...forms.slice(1, 4)]) forms.push(form.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  for (let align = 0; align < 3; align += 1) {
    const encoded = Buffer.concat([Buffer.alloc(align), Buffer.from(value)]).toString('base64');
    // Characters mixing in neighbouring bytes differ with the text around: keep the middle.
    const middle = encoded.slice(align === 0 ? 0 : 4, -4);
    if (middle.length >= 12) forms.push(middle, middle.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(forms)].filter((form) => form.length >= 8);
}

/** Registers an exact secret value (token, webhook URL, password) to redact wherever and however it appears. */
export function registerSecret(value: string | undefined): void {
  const secret = value?.trim();
  if (!secret || secret.length < 8) return;
  for (const form of encodedForms(secret)) knownForms.add(form);
  // A URL's own words (https://discord.com/api/webhooks/) are no secret: pieces come from its last segment.
  const tail = /^[a-z][a-z0-9+.-]*:\/\//i.test(secret) ? (secret.replace(/\/+$/, '').split('/').pop() ?? '') : secret;
  if (tail !== secret) registerSecret(tail);
  else for (const form of [secret, Buffer.from(secret).toString('hex')]) addFragments(form);
}

function addFragments(form: string): void {
  for (let i = 0; i + FRAGMENT_LENGTH <= form.length; i += 1) fragments.add(form.slice(i, i + FRAGMENT_LENGTH));
}

export function clearRegisteredSecrets(): void {
  knownForms.clear();
  fragments.clear();
}

export function redactSecrets(text: string): string {
  let out = redactPatterns(redactKnown(text));
  if (out.length >= 40) out = redactEncodedRuns(out);
  return out;
}

function redactKnown(text: string): string {
  let out = text;
  for (const form of knownForms) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return fragments.size && out.length >= FRAGMENT_LENGTH ? redactFragments(out) : out;
}

/** Replaces each stretch covered by pieces of registered secrets. */
function redactFragments(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i + FRAGMENT_LENGTH <= text.length; i += 1) {
    if (!fragments.has(text.slice(i, i + FRAGMENT_LENGTH))) continue;
    let end = i + FRAGMENT_LENGTH;
    while (end < text.length && fragments.has(text.slice(end - FRAGMENT_LENGTH + 1, end + 1))) end += 1;
    out += text.slice(copied, i) + REDACTED;
    copied = end;
    i = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function redactPatterns(text: string): string {
  let out = text;
  // Cheap tests first: this runs on every relayed line, and almost none holds a secret.
  if (/webhooks/i.test(out)) out = out.replace(WEBHOOK_TOKEN, `$1${REDACTED}`);
  if (out.length >= 58 && mayHoldBotToken(out)) out = out.replace(BOT_TOKEN, REDACTED);
  if (out.includes('Bot ') || out.includes('Bearer ')) out = out.replace(AUTH_HEADER, `$1 ${REDACTED}`);
  if (out.length >= 68) out = out.replace(BARE_WEBHOOK_TOKEN, REDACTED);
  return redactUrlPassword(out);
}

/** A base64 or hex run whose decoded bytes hold a secret is a secret. */
function redactEncodedRuns(text: string): string {
  const hidesSecret = (decoded: string) => decoded !== redactPatterns(redactKnown(decoded));
  return text
    .replace(HEX_RUN, (run) => ([run, run.slice(1)].some((hex) => hidesSecret(Buffer.from(hex, 'hex').toString('latin1'))) ? REDACTED : run))
    .replace(BASE64_RUN, (run) => (alignedDecodings(run).some(hidesSecret) ? REDACTED : run));
}

/** A base64 run cut out of a longer text may start at any of 4 characters of a group. */
function alignedDecodings(run: string): string[] {
  const standard = run.replace(/-/g, '+').replace(/_/g, '/');
  return [0, 1, 2, 3].map((skip) => Buffer.from(standard.slice(skip), 'base64').toString('latin1'));
}

/** A bot token has a run of at least 23 token characters right before a dot; numbers and words do not. */
function mayHoldBotToken(text: string): boolean {
  for (let dot = text.indexOf('.', 23); dot >= 0; dot = text.indexOf('.', dot + 1)) {
    let run = 0;
    while (run < 23 && isTokenChar(text.charCodeAt(dot - 1 - run))) run += 1;
    if (run === 23) return true;
  }
  return false;
}

function isTokenChar(code: number): boolean {
  // A-Z a-z 0-9 _ -
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95 || code === 45;
}
