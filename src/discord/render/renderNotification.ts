/**
 * The renderers' entry point: one notification (the due events of one group) → the Discord
 * messages to send. One event gets the single-event design of its type, several the grouped
 * forms; everything then goes through Discord's limits in one place.
 */
import type { Notification } from '../../streams/notify/Notification';
import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed, type DiscordMessage } from '../DiscordMessage';
import { alertButtons } from './alertButtons';
import { fitToDiscordLimits } from './discordLimits';
import { renderGroupEmbeds, type GroupRenderOptions } from './renderGroup';
import { renderEventEmbed } from './singleEventEmbed';

export type RenderOptions = GroupRenderOptions;

/**
 * Messages for one notification, never empty, each valid for Discord: `allowed_mentions:
 * { parse: [] }` always, and `flags: SUPPRESS_NOTIFICATIONS` when the route is silent.
 */
export function renderNotification(notification: Notification, options: RenderOptions = {}): DiscordMessage[] {
  const events = Array.isArray(notification.events) ? notification.events : [];
  const labels = typeof notification.groupLabels === 'object' && notification.groupLabels !== null ? notification.groupLabels : {};
  let embeds: DiscordEmbed[];
  if (events.length === 0) embeds = [{ title: 'ℹ️ Nothing to report', description: 'This notification held no events.' }];
  else if (events.length === 1) embeds = [renderEventEmbed(events[0])];
  else embeds = renderGroupEmbeds(events, labels, options);
  // Buttons for bot channels (webhook sinks leave them out).
  const components = alertButtons(events);
  return fitToDiscordLimits({ embeds, ...(notification.silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}), ...(components.length ? { components } : {}) });
}
