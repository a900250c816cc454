/**
 * .env loading and the Discord settings the old Python bot used. The process environment
 * wins over .env, as with dotenv's defaults, so a one-off `DISCORD_ENABLED=false barista run` works.
 */
import { existsSync, readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { registerSecret } from '../logging/redactSecrets';
import type { RulesFile } from './schema';

/** The old bot's .env names, understood as they are (see config/rules.yaml). */
export const LEGACY_DISCORD_ENV = ['DISCORD_BOT_TOKEN', 'DISCORD_WEBHOOK_URL', 'DISCORD_TRADE_CHANNEL_ID', 'DISCORD_ALERT_CHANNEL_ID', 'DISCORD_ENABLED'] as const;
export const DEFAULT_DISCORD_API_BASE = 'https://discord.com/api';

export interface EnvFileResult {
  file: string;
  found: boolean;
  /** Names set from the file (not values: they may be secrets). */
  loaded: string[];
  /** Names present in the file that the process environment already set. */
  overridden: string[];
}

export function loadEnvFile(file: string, env: NodeJS.ProcessEnv = process.env): EnvFileResult {
  if (!existsSync(file)) return { file, found: false, loaded: [], overridden: [] };
  const parsed = dotenv.parse(readFileSync(file));
  const loaded: string[] = [];
  const overridden: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined) overridden.push(name);
    else {
      env[name] = value;
      loaded.push(name);
    }
  }
  registerEnvSecrets(env);
  return { file, found: true, loaded, overridden };
}

/**
 * Reads the .env again after it was saved: names it set before are set anew (or unset when
 * gone), names the process environment set still win. A revoked token fixed in .env then
 * reaches the senders without a restart.
 */
export function reloadEnvFile(previous: EnvFileResult, env: NodeJS.ProcessEnv = process.env): EnvFileResult {
  for (const name of previous.loaded) delete env[name];
  return loadEnvFile(previous.file, env);
}

/** Environment names whose values are credentials (the trader's .env holds its broker keys too). */
export const SECRET_ENV_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|CREDENTIAL|WEBHOOK/i;

export function registerEnvSecrets(env: NodeJS.ProcessEnv = process.env): void {
  registerSecret(env.DISCORD_BOT_TOKEN);
  registerSecret(env.DISCORD_WEBHOOK_URL);
  for (const [name, value] of Object.entries(env)) if (SECRET_ENV_NAME.test(name)) registerSecret(value);
}

// scheme://user:password@host: the password of a database or broker URL (an Optuna storage URL,
// often from ${OPTUNA_DB_PASSWORD}); it may hold `:@/` and runs to the URL's last `@`.
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:(\S*)@(?=[^@\s]*(?:\s|$))/gi;

/** Secrets that reached the config by other names (a ${VAR} in a secret field, a URL's password) still get redacted. */
export function registerConfigSecrets(config: RulesFile): void {
  registerSecret(config.notify.discord.token);
  for (const channel of Object.values(config.notify.channels)) {
    for (const url of [channel.webhook ?? []].flat()) registerSecret(url);
  }
  for (const text of stringsOf(config)) for (const match of text.matchAll(URL_PASSWORD)) {
    registerSecret(match[1]!);
    registerSecret(safeDecode(match[1]!));
  }
}

function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* stringsOf(item);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface DiscordSetup {
  enabled: boolean;
  apiBase: string;
  hasToken: boolean;
  /** channel name → what delivers it */
  channels: Record<string, { webhooks: number; botChannel: boolean }>;
}

/** What the Discord layer will do with this config: without any credential, everything goes to the console. */
export function describeDiscordSetup(config: RulesFile): DiscordSetup {
  const discord = config.notify.discord;
  const hasToken = Boolean(discord.token);
  const channels: DiscordSetup['channels'] = {};
  for (const [name, channel] of Object.entries(config.notify.channels)) {
    const webhooks = [channel.webhook ?? []].flat().filter(Boolean).length;
    channels[name] = { webhooks, botChannel: Boolean(channel.channel) && hasToken };
  }
  return { enabled: discord.enabled !== false, apiBase: discord.api_base ?? DEFAULT_DISCORD_API_BASE, hasToken, channels };
}
