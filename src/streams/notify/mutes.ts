/**
 * Mutes: "no notifications about X until T", set by a person (a command) and kept in state.
 * The policy asks a MuteLookup for the mutes and itself checks their expiry against its clock,
 * so a mute ends on time even if nothing has removed it yet.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { Mute, MuteMatcher } from '../../model/mute';
import { compileEventMatcher, type EventPredicate } from './eventMatcher';

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
