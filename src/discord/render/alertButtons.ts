/**
 * Buttons on alerts sent through a bot channel: "Mute 1 h" on any alert (warning and worse),
 * "Restart trader" on a trader that exited or went stale. The custom_id says what the button
 * asks for (`mute:1h:<type>:<subject>`, `restart:<trader>`); it is untrusted when pressed — the
 * presser must be allowed to mute or control, and a restart is planned and confirmed like
 * `/trader restart`. Webhooks never carry them (their sink leaves components out).
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordActionRow, DiscordButton } from '../DiscordMessage';
import { DISCORD_LIMITS } from './discordLimits';

const ALERT_SEVERITIES = new Set(['warning', 'error', 'critical']);
const RESTARTABLE = new Set(['trader.exited', 'trader.stale']);
export const MUTE_BUTTON_MS = 3_600_000;

export const MUTE_CUSTOM_ID = /^mute:1h:([A-Za-z0-9_.-]{1,60}):(.{0,64})$/s;
export const RESTART_CUSTOM_ID = /^restart:(.{1,64})$/s;

export function alertButtons(events: readonly BaristaEvent[]): DiscordActionRow[] {
  const alerts = events.filter((e) => ALERT_SEVERITIES.has(e.severity));
  if (alerts.length === 0) return [];
  const buttons: DiscordButton[] = [];
  const first = alerts[0];
  const sameKind = alerts.every((e) => e.type === first.type && e.subject === first.subject);
  const mute = sameKind ? `mute:1h:${first.type}:${first.subject}` : `mute:1h:${first.type}:`;
  if (mute.length <= DISCORD_LIMITS.customId && MUTE_CUSTOM_ID.test(mute)) buttons.push({ type: 2, style: 2, label: 'Mute 1 h', custom_id: mute });
  const traders = [...new Set(alerts.filter((e) => RESTARTABLE.has(e.type) && e.subject).map((e) => e.subject))].slice(0, 4);
  for (const trader of traders) {
    const id = `restart:${trader}`;
    if (id.length <= DISCORD_LIMITS.customId) buttons.push({ type: 2, style: 4, label: traders.length === 1 ? 'Restart trader' : `Restart ${trader}`, custom_id: id });
  }
  return buttons.length ? [{ type: 1, components: buttons }] : [];
}
