/** Event and notification builders for the renderer tests. */
import type { DiscordEmbed, DiscordMessage } from '../../../src/discord/DiscordMessage';
import { renderNotification, type RenderOptions } from '../../../src/discord/render';
import type { BaristaEvent } from '../../../src/model/BaristaEvent';
import type { Notification } from '../../../src/streams/notify/Notification';
import { discordRuleViolations } from './discordRules';

export const AT = '2026-02-05T16:52:05.000Z';
export const UNIX = Math.floor(Date.parse(AT) / 1000);

let counter = 0;
export function event(type: string, fields: Record<string, unknown> = {}, overrides: Partial<BaristaEvent> = {}): BaristaEvent {
  counter += 1;
  return { id: `e${counter}`, type, severity: 'info', at: AT, source: 'sessions', subject: 'trial250_session', fields, ...overrides };
}

export function notification(events: BaristaEvent[], overrides: Partial<Notification> = {}): Notification {
  return { channel: 'trades', route: 0, groupKey: '0|trial250_session', groupLabels: {}, events, silent: false, ...overrides };
}

/** Renders, asserts every message is valid for Discord, returns the messages. */
export function renderValid(events: BaristaEvent[], overrides: Partial<Notification> = {}, options: RenderOptions = {}): DiscordMessage[] {
  const messages = renderNotification(notification(events, overrides), options);
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) expect(discordRuleViolations(message)).toEqual([]);
  return messages;
}

/** The one embed a single event renders to. */
export function renderOne(e: BaristaEvent): DiscordEmbed {
  const messages = renderValid([e]);
  expect(messages).toHaveLength(1);
  expect(messages[0].embeds).toHaveLength(1);
  return messages[0].embeds[0];
}

/** Field values by name. */
export function fieldMap(embed: DiscordEmbed): Record<string, string> {
  return Object.fromEntries((embed.fields ?? []).map((field) => [field.name, field.value]));
}
