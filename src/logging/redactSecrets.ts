/**
 * Removes Discord credentials (and passwords in URLs) from any text before barista logs or relays it.
 *
 * Pattern-based so it also catches secrets barista was never told about (a webhook URL
 * inside a relayed trader log line), plus exact values registered at start-up
 * (the configured token even when it does not look like a Discord token).
 */

export const REDACTED = '[REDACTED]';

// .../webhooks/<id>/<token>, on any host: DISCORD_API_BASE may point elsewhere.
const WEBHOOK_TOKEN = /(\/webhooks\/\d{5,}\/)[A-Za-z0-9_.-]{20,}/g;
// Bot tokens: base64(user id) . base64(timestamp) . HMAC.
// No boundary before it: glued to other token characters (`Bot_MTA…`), its tail is still a token.
const BOT_TOKEN = /[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}\b/g;
// "Authorization: Bot xxx" / "Bearer xxx" headers echoed by HTTP error messages.
const AUTH_HEADER = /\b(Bot|Bearer)\s+[A-Za-z0-9_.-]{20,}/g;

// scheme://user:password@host: a database URL's password (an Optuna storage URL).
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)\S*@(?=[^@\s]*(?:\s|$))/gi;

const knownSecrets = new Set<string>();

/** The `//user:password@` part of any URL with its password replaced (messages, errors, logs). */
export function redactUrlPassword(text: string): string {
  return text.includes('://') ? text.replace(URL_PASSWORD, `$1${REDACTED}@`) : text;
}

/** Registers an exact secret value (token, webhook URL) to redact wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.trim().length >= 8) knownSecrets.add(value.trim());
}

export function clearRegisteredSecrets(): void {
  knownSecrets.clear();
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  // Cheap tests first: this runs on every relayed line, and almost none holds a secret.
  if (out.includes('/webhooks/')) out = out.replace(WEBHOOK_TOKEN, `$1${REDACTED}`);
  if (out.length >= 58 && mayHoldBotToken(out)) out = out.replace(BOT_TOKEN, REDACTED);
  if (out.includes('Bot ') || out.includes('Bearer ')) out = out.replace(AUTH_HEADER, `$1 ${REDACTED}`);
  return redactUrlPassword(out);
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
