/**
 * A mute: "no notifications about X until T", set by a person (a command) and kept in state.
 */
import type { EventMatch } from './eventMatch';

/** Which events a mute silences: globs as in a route's match; {} silences everything. */
export type MuteMatcher = EventMatch;

export interface Mute {
  id: number;
  matcher: MuteMatcher;
  reason: string | null;
  createdBy: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds; the mute holds while now < expiresAt. */
  expiresAt: number;
}

export interface MuteLookup {
  /** The mutes not removed yet, expired ones possibly included. Called for every event: keep it cheap. */
  mutes(): readonly Mute[];
}
