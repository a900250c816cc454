/**
 * Where each named channel of notify.channels is delivered: a bot channel when a token and a
 * channel id are set (Discord then drops retried duplicates by nonce), else its webhooks, else
 * the console. Discord switched off, or nothing Discord configured: console only.
 */
import { describeDiscordSetup } from '../config/environment';
import type { RulesFile } from '../config/schema';
import { parseWebhookUrl } from './sinks/webhookUrl';

export type Destination =
  | { kind: 'webhook'; key: string; id: string; token: string }
  | { kind: 'bot'; key: string; channelId: string }
  | { kind: 'console'; key: 'console' };

export interface DeliveryPlan {
  apiBase: string;
  token?: string;
  /** Channel name → destinations (never empty). */
  channels: Map<string, Destination[]>;
  /** Every distinct destination, by key. */
  destinations: Map<string, Destination>;
  /** What a user should know at start, e.g. "channel trades: console only (no webhook or bot channel set)". */
  notes: string[];
}

const CONSOLE: Destination = { kind: 'console', key: 'console' };

export function planDelivery(config: RulesFile): DeliveryPlan {
  const setup = describeDiscordSetup(config);
  const token = config.notify.discord.token || undefined;
  const channels = new Map<string, Destination[]>();
  const destinations = new Map<string, Destination>();
  const notes: string[] = [];
  if (!setup.enabled) notes.push('Discord is switched off (DISCORD_ENABLED): every channel prints to the console');

  for (const [name, channel] of Object.entries(config.notify.channels)) {
    const chosen: Destination[] = [];
    if (setup.enabled) {
      if (channel.channel && token) {
        chosen.push({ kind: 'bot', key: `bot:${channel.channel}`, channelId: channel.channel });
      } else {
        for (const url of [channel.webhook ?? []].flat()) {
          if (!url) continue;
          try {
            const parsed = parseWebhookUrl(url);
            chosen.push({ kind: 'webhook', key: `webhook:${parsed.id}`, ...parsed });
          } catch (error) {
            notes.push(`channel ${name}: ${(error as Error).message}`);
          }
        }
        if (channel.channel && !token) notes.push(`channel ${name}: bot channel set but no DISCORD_BOT_TOKEN`);
      }
      if (chosen.length === 0) notes.push(`channel ${name}: console only (no webhook or bot channel set)`);
    }
    if (chosen.length === 0 || channel.console === true) chosen.push(CONSOLE);
    channels.set(name, chosen);
    for (const destination of chosen) destinations.set(destination.key, destination);
  }
  return { apiBase: setup.apiBase, ...(token ? { token } : {}), channels, destinations, notes };
}
