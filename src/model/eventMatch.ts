/**
 * Which events something applies to, by type, severity, source and subject globs: the `match:`
 * of a route in rules.yaml and the matcher of a mute (compiled in streams/notify/eventMatcher).
 */
import type { Severity } from '../config/schema';

export interface EventMatch {
  /** Event type globs, e.g. "trade.*". */
  type?: string | readonly string[];
  severity?: Severity | readonly Severity[];
  /** Source id globs. */
  source?: string | readonly string[];
  /** Subject globs, e.g. "trial250*". */
  subject?: string | readonly string[];
}
