/**
 * 🩺 /health: barista itself — each source (what it follows, how far behind, its last error),
 * the outbox, Discord's rate limits, version, uptime and the state file's size.
 */
import type { DestinationOutboxView, HealthAnswer, RefusedDestinationView, SourceHealthView } from '../../../readModel/answers';
import type { DiscordMessage } from '../../DiscordMessage';
import { COLORS } from '../eventStyle';
import { finiteNumber, formatCount, formatDuration } from '../formatValues';
import { markdownText } from '../sanitizeText';
import { fitOneMessage, formatBytes, linesWithin, relativeTime, safeName, timestampOf, WARN_COLOR } from './answerParts';

/** Pending mail older than this is worth a look (Discord away, or a rate limit). */
const OLD_PENDING_S = 300;

/** ✅ **sessions** (csv) · 3 files · lag 2 s, and the last error on a second line. */
export function sourceLine(source: SourceHealthView): string {
  const lag = finiteNumber(source.lagS);
  const head = [`${source.ok ? '✅' : '❌'} **${safeName(source.id, 60)}** (${safeName(source.type, 20)})`, source.follows.trim() === '' ? null : safeName(source.follows, 60), lag === null ? null : `lag ${markdownText(formatDuration(lag))}`]
    .filter(Boolean)
    .join(' · ');
  if (source.lastError === null) return head;
  return `${head}\n   ↳ ${relativeTime(source.lastError.at, 'error')}: ${safeName(source.lastError.message, 160)}`;
}

/** True when something needs a look: a failing source, a rejected message, a refused destination, mail waiting long. */
export function healthNeedsLook(answer: HealthAnswer): boolean {
  return answer.sources.some((s) => !s.ok) || answer.outbox.rejected > 0 || answer.outbox.refused.length > 0 || (finiteNumber(answer.outbox.oldestPendingS) ?? 0) > OLD_PENDING_S;
}

/** ⛔ Discord refuses channel **trades** (webhook:123) for 10 min: Discord 404 10015: Unknown Webhook — messages kept */
export function refusedLine(refused: RefusedDestinationView): string {
  const where = refused.channels.length ? `channel **${refused.channels.map((c) => safeName(c, 40)).join(', ')}** (${safeName(refused.destination, 60)})` : `**${safeName(refused.destination, 60)}**`;
  return `⛔ Discord refuses ${where} for ${markdownText(formatDuration(finiteNumber(refused.sinceS) ?? 0))}: ${safeName(refused.error, 160)} — its messages are kept`;
}

/** webhook:123 · 3 pending (oldest 2 min) · 1 rejected */
export function destinationLine(d: DestinationOutboxView): string {
  const oldest = d.pending > 0 && finiteNumber(d.oldestPendingS) !== null ? ` (oldest ${markdownText(formatDuration(d.oldestPendingS))})` : '';
  return [safeName(d.destination, 60), `${formatCount(d.pending)} pending${oldest}`, d.rejected > 0 ? `${formatCount(d.rejected)} rejected` : null].filter(Boolean).join(' · ');
}

export function renderHealth(answer: HealthAnswer): DiscordMessage {
  const { outbox } = answer;
  // Failing sources first: they are why one asks.
  const sources = [...answer.sources].sort((a, b) => Number(a.ok) - Number(b.ok));
  const ok = answer.sources.filter((s) => s.ok).length;
  const stateSize = formatBytes(answer.stateFileBytes);
  const about = [`barista ${safeName(answer.version, 40)}`, answer.uptimeS === null ? 'not running' : `up ${markdownText(formatDuration(answer.uptimeS))}`, stateSize === null ? null : `state file ${stateSize}`].filter(Boolean).join(' · ');
  const list = sources.length === 0 ? 'No source configured.' : linesWithin(sources.map(sourceLine), 3200, 40, 'sources');
  const refused = outbox.refused.length ? `${linesWithin(outbox.refused.map(refusedLine), 600, 3, 'refused destinations')}\n\n` : '';
  const oldest = outbox.pending > 0 && finiteNumber(outbox.oldestPendingS) !== null ? ` (oldest ${markdownText(formatDuration(outbox.oldestPendingS))})` : '';
  return fitOneMessage({
    embeds: [
      {
        title: '🩺 barista health',
        description: `${about}\n\n${refused}**Sources ${ok}/${answer.sources.length} OK**\n${list}`,
        color: healthNeedsLook(answer) ? WARN_COLOR : COLORS.good,
        fields: [
          { name: '📬 Outbox', value: `${formatCount(outbox.pending)} pending${oldest}`, inline: true },
          { name: '⛔ Rejected', value: `${formatCount(outbox.rejected)}${outbox.rejected > 0 ? ' (kept with their error)' : ''}`, inline: true },
          ...(outbox.rateLimitHits === null ? [] : [{ name: '⏱️ Rate limited', value: `${formatCount(outbox.rateLimitHits)} times`, inline: true }]),
          ...(outbox.destinations?.length ? [{ name: '📬 By destination', value: linesWithin(outbox.destinations.map(destinationLine), 1000, 10, 'destinations'), inline: false }] : []),
        ],
        ...timestampOf(answer.now),
      },
    ],
  });
}
