/**
 * Inhibition: while something is known to be down, the noise it causes is not sent.
 * A rule is data (so it can become configurable): an event whose type matches `down` marks its
 * subject down, one matching `up` marks it up again; while a subject is down, events of that
 * same subject whose type matches `mutes` are inhibited. The event that marks a subject down is
 * judged before it is learnt from, so the first one is sent and only its repeats are muted.
 *
 * Subjects are compared for equality, nothing more: every source gives a trader the same one
 * name (streams/traderIdentity.ts), so the process probe's `trader.exited` mutes the risk events
 * of that trader's log.
 * The state is in memory: after a restart nothing is down until a down event is seen again.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { compileGlobs, type TextPredicate } from './eventMatcher';

export interface InhibitRule {
  name: string;
  /** Event type globs that mark their subject down. */
  down: readonly string[];
  /** Event type globs that mark their subject up again. */
  up: readonly string[];
  /** Event type globs inhibited for a subject that is down. */
  mutes: readonly string[];
}

export const DEFAULT_INHIBIT_RULES: readonly InhibitRule[] = Object.freeze([
  {
    name: 'trader-down',
    down: ['trader.stale', 'trader.exited', 'trader.interrupted'],
    up: ['trader.started', 'trader.recovered', 'trader.resumed'],
    mutes: ['trader.stale', 'risk.*'],
  },
]);

interface CompiledRule {
  name: string;
  down: TextPredicate;
  up: TextPredicate;
  mutes: TextPredicate;
  /** Subjects down now, oldest first (a Set keeps insertion order). */
  subjectsDown: Set<string>;
}

/** Tracks what is down and judges events; one instance per policy (it holds state). */
export class Inhibitor {
  private readonly rules: CompiledRule[];

  /** maxSubjects bounds memory: past it, the subject marked down longest ago is forgotten. */
  constructor(
    rules: readonly InhibitRule[] = DEFAULT_INHIBIT_RULES,
    private readonly maxSubjects = 10_000,
  ) {
    this.rules = rules.map((rule) => ({ name: rule.name, down: compileGlobs(rule.down), up: compileGlobs(rule.up), mutes: compileGlobs(rule.mutes), subjectsDown: new Set() }));
  }

  /**
   * The name of the rule that inhibits this event given the events before it (null: send it),
   * then learns from the event.
   */
  judge(event: Pick<BaristaEvent, 'type' | 'subject'>): string | null {
    let inhibitedBy: string | null = null;
    for (const rule of this.rules) {
      if (inhibitedBy === null && rule.subjectsDown.has(event.subject) && rule.mutes(event.type)) inhibitedBy = rule.name;
      if (rule.up(event.type)) rule.subjectsDown.delete(event.subject);
      else if (rule.down(event.type) && !rule.subjectsDown.has(event.subject)) {
        rule.subjectsDown.add(event.subject);
        if (rule.subjectsDown.size > this.maxSubjects) rule.subjectsDown.delete(rule.subjectsDown.values().next().value as string);
      }
    }
    return inhibitedBy;
  }

  /** Subjects currently down under a rule (for status and tests). */
  down(ruleName: string): string[] {
    return [...(this.rules.find((r) => r.name === ruleName)?.subjectsDown ?? [])];
  }
}
