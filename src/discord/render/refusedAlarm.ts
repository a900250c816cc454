/**
 * The one alarm raised when Discord refuses a destination (revoked token, deleted webhook,
 * missing permission), sent to the destinations that still work. Pure.
 */
import type { DiscordMessage } from '../DiscordMessage';
import { cutText } from './discordLimits';
import { codeText } from './sanitizeText';

const ALARM_COLOR = 0xe74c3c;

export interface RefusedAlarm {
  destination: string;
  channels: readonly string[];
  error: string;
  /** Messages held back for it. */
  waiting: number;
  since: number;
  probeIntervalMs: number;
}

export function renderRefusedAlarm(alarm: RefusedAlarm): DiscordMessage {
  const where = alarm.channels.length ? `channel ${alarm.channels.join(', ')}` : alarm.destination;
  const description = [
    `Discord answered: \`${codeText(cutText(alarm.error, 300))}\``,
    `${alarm.waiting} message(s) for it are kept, not lost. They go out in order once Discord accepts them: barista tries again every ${Math.round(alarm.probeIntervalMs / 1000)} s and at once after a rules reload or restart.`,
    'Check the webhook URL or the bot token (.env / rules.yaml) and the bot’s permissions in that channel.',
  ].join('\n');
  return {
    embeds: [{ title: cutText(`⛔ Discord refuses ${where}`, 256), description, color: ALARM_COLOR, timestamp: new Date(alarm.since).toISOString() }],
    allowed_mentions: { parse: [] },
  };
}
