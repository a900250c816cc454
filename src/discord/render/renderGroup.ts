/**
 * Several events of one notification group → grouped embeds. The events are split into sections
 * by kind (trades, closed positions, trials, best values, snapshots of one trader, then one per
 * other type), each drawn in its grouped form, or its single form when it holds one event.
 * Past `maxSections` the remaining kinds share one list, so any group makes a few embeds.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbed } from '../DiscordMessage';
import { subjectOf } from './eventStyle';
import { plural } from './formatValues';
import { groupedErrorsEmbed, groupedListEmbed, latestSnapshotEmbed } from './groupedEvents';
import { groupedClosedPositionsEmbed, groupedTradesEmbed } from './groupedTrades';
import { groupedBestImprovedEmbed, groupedTrialsEmbed, TRIAL_TYPES } from './groupedTraining';
import type { GroupOptions } from './groupParts';
import { renderEventEmbed } from './singleEventEmbed';

export interface GroupRenderOptions extends GroupOptions {
  /** Most sections (embeds before splitting) one group makes (default 6); the rest share one list. */
  maxSections?: number;
}

const DEFAULT_MAX_SECTIONS = 6;

/** Which section an event belongs to. */
function sectionOf(event: BaristaEvent): string {
  const type = String(event.type);
  if (TRIAL_TYPES.includes(type)) return 'trials';
  if (type === 'portfolio.snapshot' || type === 'portfolio.snapshot_line') return `snapshot:${subjectOf(event)}`;
  return `type:${type}`;
}

type SectionRenderer = (events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions) => DiscordEmbed;

function rendererOf(section: string): SectionRenderer {
  if (section === 'trials') return groupedTrialsEmbed;
  if (section.startsWith('snapshot:')) return latestSnapshotEmbed;
  switch (section) {
    case 'type:trade.executed':
      return groupedTradesEmbed;
    case 'type:position.closed':
      return groupedClosedPositionsEmbed;
    case 'type:training.best_improved':
      return groupedBestImprovedEmbed;
    case 'type:trader.error':
      return groupedErrorsEmbed;
    default:
      return groupedListEmbed;
  }
}

function renderSection(section: string, events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions): DiscordEmbed {
  if (events.length === 1) return renderEventEmbed(events[0]);
  try {
    return rendererOf(section)(events, labels, options);
  } catch {
    // Odd data in a grouped form: the plain list still accounts for every event.
    return groupedListEmbed(events, labels, options);
  }
}

export function renderGroupEmbeds(events: readonly BaristaEvent[], labels: Record<string, string> = {}, options: GroupRenderOptions = {}): DiscordEmbed[] {
  const sections = new Map<string, BaristaEvent[]>();
  for (const event of events) {
    const key = sectionOf(event);
    const list = sections.get(key);
    if (list) list.push(event);
    else sections.set(key, [event]);
  }
  const maxSections = Math.max(1, options.maxSections ?? DEFAULT_MAX_SECTIONS);
  const entries = [...sections.entries()];
  if (entries.length <= maxSections) return entries.map(([section, list]) => renderSection(section, list, labels, options));

  const kept = entries.slice(0, maxSections - 1);
  const keptKeys = new Set(kept.map(([section]) => section));
  const rest = events.filter((event) => !keptKeys.has(sectionOf(event)));
  const restKinds = entries.length - kept.length;
  return [
    ...kept.map(([section, list]) => renderSection(section, list, labels, options)),
    groupedListEmbed(rest, labels, { ...options, title: `📋 ${plural(rest.length, 'more event')} of ${plural(restKinds, 'other kind')}` }),
  ];
}
