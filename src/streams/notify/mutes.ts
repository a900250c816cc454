/**
 * Mutes: "no notifications about X until T", set by a person (a command) and kept in state.
 * The policy asks a MuteLookup for the mutes and itself checks their expiry against its clock,
 * so a mute ends on time even if nothing has removed it yet.
 */
import type { BaristaEvent } from '../BaristaEvent';
import { compileEventMatcher, type EventMatch, type EventPredicate } from './eventMatcher';

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

/** Compiled matchers, per matcher object, so a lookup that returns the same objects compiles once. */
const compiled = new WeakMap<MuteMatcher, EventPredicate>();

function predicateOf(matcher: MuteMatcher): EventPredicate {
  let predicate = compiled.get(matcher);
  if (!predicate) {
    predicate = compileEventMatcher(matcher);
    compiled.set(matcher, predicate);
  }
  return predicate;
}

/** The first mute in force at nowMs that silences the event, or undefined. */
export function activeMuteFor(event: Pick<BaristaEvent, 'type' | 'severity' | 'source' | 'subject'>, mutes: readonly Mute[], nowMs: number): Mute | undefined {
  for (const mute of mutes) {
    if (mute.expiresAt > nowMs && predicateOf(mute.matcher)(event)) return mute;
  }
  return undefined;
}
