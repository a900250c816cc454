/**
 * The last guard before a reply leaves: every text in the message passes the secret redactor,
 * whatever the renderer that made it did (a source error quoted by /health may hold a URL).
 */
import { redactSecrets } from '../../logging/redactSecrets';
import type { DiscordMessage } from '../DiscordMessage';

function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  return value;
}

export function redactMessage(message: DiscordMessage): DiscordMessage {
  return redactDeep(message);
}
