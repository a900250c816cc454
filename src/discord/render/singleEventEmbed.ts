/**
 * One event → its embed: the design for its type, a family design for an unknown type of a known
 * family (risk.*, host.*, …), else the generic design (type, text, every field), so nothing is
 * ever unrenderable. A design that throws on odd data falls back to the generic one.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbed } from '../DiscordMessage';
import { cutText } from './discordLimits';
import { alertDesign, baristaWarningDesign, hostAlertDesign, monitorAlertDesign, monitorLevelDesign, riskDesigns, riskGenericDesign, watchdogAlertDesign } from './alertEmbeds';
import { traderErrorDesign } from './errorEmbeds';
import { designedEmbed, leadFromText, type EventDesign } from './eventEmbed';
import { eventFooter, ownValue, severityColor, severityEmoji } from './eventStyle';
import { discordTimeWithRelative } from './formatValues';
import { performanceDesigns } from './performanceEmbeds';
import { snapshotEventEmbed } from './portfolioSummary';
import { markdownText } from './sanitizeText';
import { traderDesigns } from './traderEmbeds';
import { positionClosedDesign, tradeExecutedDesign } from './tradeEmbeds';
import { deploymentDesigns, deploymentGenericDesign, trainingDesigns, trainingGenericDesign, workerExitedDesign } from './trainingEmbeds';

/** Type, text and every field: for types no design knows. */
const genericDesign: EventDesign = {
  title: (event) => `${severityEmoji(event.severity)} ${markdownText(cutText(String(event.type ?? 'event'), 200))}`,
  lead(event) {
    const text = typeof event.text === 'string' ? event.text : '';
    const lead = text.includes('\n') ? null : leadFromText(event, 2000);
    return [lead, discordTimeWithRelative(event.at)].filter(Boolean).join('\n') || null;
  },
  code: (event) => (typeof event.text === 'string' && event.text.includes('\n') ? { text: event.text } : null),
};

const BY_TYPE: Record<string, EventDesign | ((event: BaristaEvent) => EventDesign)> = {
  'trade.executed': tradeExecutedDesign,
  'position.closed': positionClosedDesign,
  'trader.error': traderErrorDesign,
  'watchdog.alert': watchdogAlertDesign,
  'monitor.alert': monitorAlertDesign,
  'monitor.level_changed': monitorLevelDesign,
  'barista.warning': baristaWarningDesign,
  'training.worker_exited': workerExitedDesign,
  ...riskDesigns,
  ...traderDesigns,
  ...trainingDesigns,
  ...deploymentDesigns,
  ...performanceDesigns,
};

/** Designs for a whole family, by type prefix. */
const BY_PREFIX: [string, EventDesign][] = [
  ['risk.', riskGenericDesign],
  ['host.', hostAlertDesign],
  ['watchdog.', watchdogAlertDesign],
  ['monitor.', alertDesign(() => 'Monitor')],
  ['barista.', baristaWarningDesign],
  ['training.', trainingGenericDesign],
  ['deployment.', deploymentGenericDesign],
  ['performance.', alertDesign(() => 'Performance')],
];

/** Types drawn by their own function rather than a design. */
const CUSTOM: Record<string, (event: BaristaEvent) => DiscordEmbed> = {
  'portfolio.snapshot': snapshotEventEmbed,
  'portfolio.snapshot_line': snapshotEventEmbed,
  'portfolio.summary': snapshotEventEmbed,
};

function designFor(event: BaristaEvent): EventDesign {
  const type = String(event.type ?? '');
  const exact = ownValue(BY_TYPE, type);
  if (exact) return typeof exact === 'function' ? exact(event) : exact;
  return BY_PREFIX.find(([prefix]) => type.startsWith(prefix))?.[1] ?? genericDesign;
}

/** The last resort: an embed that cannot fail. */
function minimalEmbed(event: BaristaEvent): DiscordEmbed {
  const text = typeof event.text === 'string' ? event.text : '';
  return {
    title: `${severityEmoji(event.severity)} ${markdownText(cutText(String(event.type), 200))}`,
    ...(text ? { description: markdownText(cutText(text, 3000)) } : {}),
    color: severityColor(event.severity),
  };
}

/** The single-event embed of any event. */
export function renderEventEmbed(event: BaristaEvent): DiscordEmbed {
  try {
    const type = String(event.type ?? '');
    const custom = ownValue(CUSTOM, type);
    if (custom) return custom(event);
    return designedEmbed(event, designFor(event));
  } catch {
    try {
      return designedEmbed(event, genericDesign);
    } catch {
      return { ...minimalEmbed(event), footer: { text: eventFooter(event) } };
    }
  }
}
