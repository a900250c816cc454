/**
 * Real-looking Discord identifiers: 19-digit snowflakes (discord.js's bucket regex and
 * createdTimestamp depend on the shape), bot tokens and 68-character webhook tokens.
 */
import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1420070400000n;
let lastMs = 0n;
let increment = 0n;

/** A snowflake for "now": timestamp << 22 | worker | process | increment, unique within this process. */
export function nextSnowflake(): string {
  let ms = BigInt(Date.now()) - DISCORD_EPOCH;
  if (ms <= lastMs) {
    increment++;
    if (increment > 0xfffn) {
      lastMs++;
      increment = 0n;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    increment = 0n;
  }
  return ((ms << 22n) | (1n << 17n) | (BigInt(process.pid & 0x1f) << 12n) | increment).toString();
}

export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function randomUrlSafe(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += URL_SAFE[bytes[i]! & 63];
  return out;
}

/** base64(user id) . 6 chars . 38 chars — the shape of a real bot token. */
export function makeBotToken(userId: string): string {
  const head = Buffer.from(userId).toString('base64').replace(/=+$/, '');
  return `${head}.${randomUrlSafe(6)}.${randomUrlSafe(38)}`;
}

export function makeWebhookToken(): string {
  return randomUrlSafe(68);
}

/** Interaction tokens are long base64url strings. */
export function makeInteractionToken(interactionId: string): string {
  const raw = Buffer.from(`interaction:${interactionId}:${randomUrlSafe(48)}`).toString('base64url');
  return `${raw}${randomUrlSafe(100)}`;
}
