/**
 * What routing and grouping hand to rendering: the events of one group that are due now,
 * for one named channel of rules.yaml (notify.channels).
 */
import type { BaristaEvent } from '../../model/BaristaEvent';

export interface Notification {
  /** Name of the channel in notify.channels. */
  channel: string;
  /** Index of the matching route in notify.routes. */
  route: number;
  /** Route index + the event's values of the route's group_by labels; stable across restarts. */
  groupKey: string;
  /** The group_by labels and their values (for titles such as "12 trades on trial250"). */
  groupLabels: Record<string, string>;
  /** The new events of this group since its last notification, oldest first (never empty). */
  events: BaristaEvent[];
  /** Route mode silent: sent with Discord's suppress-notifications flag. */
  silent: boolean;
  /**
   * Repeats of alerts already sent that repeat_interval suppressed in this group since its
   * previous notification (absent when none), e.g. "+47 identical repeats not sent".
   */
  suppressedRepeats?: number;
}
