/**
 * One message per fact (model/fact.ts): of the events reporting one fact, the notifier lets one
 * through, preferring the higher rank whatever the arrival order, and never sends a second one.
 *
 * - A report of a fact not seen (within `windowMs`) goes on at once, or, with a hold, waits up
 *   to its hold for a higher-ranked report; if none comes, it goes on when the hold ends.
 * - A higher-ranked report replaces a lower one that is still held or still waiting in a group
 *   (it is withdrawn from the group); the lower one is dropped, pointing at the higher.
 * - Once a report of the fact has been sent, every later report is dropped: no second message.
 * - A report that no route took (muted, off, unrouted) leaves the fact unsent: a later report
 *   may still go.
 * A sent fact is remembered `windowMs`, at most `maxFacts` of them (the oldest go first).
 */
import type { SchedulerLike, Subscription } from '../../rx';
import type { BaristaEvent } from '../../model/BaristaEvent';
import { isWildcardKey, type EventFact } from '../../model/fact';
import { FactKeyIndex } from './factKeyIndex';

export interface FactArbiterOptions {
  scheduler: SchedulerLike;
  windowMs: number;
  maxFacts?: number;
  /** Routes the report; true when some group took it (it will be sent). */
  admit: (event: BaristaEvent) => boolean;
  /** Takes a report back out of the groups it waits in. */
  withdraw: (event: BaristaEvent) => void;
  /** A report not sent because `keptId` reports the same fact. */
  drop: (event: BaristaEvent, keptId: string) => void;
}

interface Entry {
  key: string;
  rank: number;
  /** The report that stands for the fact now (only its id for one remembered from before the start). */
  id: string;
  event: BaristaEvent | null;
  status: 'held' | 'queued' | 'sent';
  timer: Subscription | null;
  sentAt: number;
}

export class FactArbiter {
  /** In the order facts were first seen. */
  private readonly entries = new Set<Entry>();
  private readonly byKey = new Map<string, Entry>();
  private readonly byEvent = new Map<string, Entry>();
  /** Every entry by the parts of its key, for matches through `*`. */
  private readonly keys = new FactKeyIndex<Entry>();
  private readonly maxFacts: number;
  private prunedAt = -Infinity;

  constructor(private readonly options: FactArbiterOptions) {
    this.maxFacts = options.maxFacts ?? 10_000;
  }

  /** A report of `fact` arrives. */
  accept(event: BaristaEvent, fact: EventFact): void {
    this.prune();
    const current = this.find(fact.key);
    if (!current) {
      const entry: Entry = { key: fact.key, rank: fact.rank, id: event.id, event, status: 'held', timer: null, sentAt: 0 };
      this.entries.add(entry);
      this.index(entry);
      this.take(entry, fact);
      return;
    }
    if (fact.rank <= current.rank || current.status === 'sent') {
      this.options.drop(event, current.id);
      return;
    }
    // A richer report of a fact not sent yet: it takes the poorer one's place.
    const loser = current.event;
    if (current.status === 'held') current.timer?.unsubscribe();
    else if (loser) this.options.withdraw(loser);
    this.byEvent.delete(current.id);
    if (loser) this.options.drop(loser, event.id);
    if (isWildcardKey(current.key) && !isWildcardKey(fact.key)) {
      this.keys.delete(current);
      current.key = fact.key;
    }
    current.id = event.id;
    current.event = event;
    current.rank = fact.rank;
    this.index(current);
    this.take(current, fact);
  }

  /** These events were sent (a group went out): their facts are settled. */
  sent(events: readonly BaristaEvent[], now: number): void {
    for (const event of events) {
      const entry = this.byEvent.get(event.id);
      if (entry && entry.status !== 'sent') Object.assign(entry, { status: 'sent', sentAt: now });
    }
  }

  /** A fact reported before this arbiter started (e.g. before a restart), already sent. */
  remember(id: string, fact: EventFact, sentAt: number): void {
    if (this.find(fact.key)) return;
    const entry: Entry = { key: fact.key, rank: fact.rank, id, event: null, status: 'sent', timer: null, sentAt };
    this.entries.add(entry);
    this.index(entry);
  }

  /** Every held report goes on now (a stop or a flush: nothing is lost). */
  releaseAll(): void {
    for (const entry of [...this.entries]) if (entry.status === 'held') this.release(entry);
  }

  /** Stops the hold timers; held reports are dropped from memory (they stay unnotified in state). */
  cancel(): void {
    for (const entry of this.entries) entry.timer?.unsubscribe();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Holds the entry's report, or routes it now. */
  private take(entry: Entry, fact: EventFact): void {
    if (fact.holdMs <= 0) {
      this.release(entry);
      return;
    }
    entry.status = 'held';
    entry.timer = this.options.scheduler.schedule(() => this.release(entry), Math.min(fact.holdMs, this.options.windowMs));
  }

  private release(entry: Entry): void {
    entry.timer?.unsubscribe();
    entry.timer = null;
    if (entry.event && this.options.admit(entry.event)) {
      entry.status = 'queued';
      return;
    }
    // No route will send it: the fact is still unreported.
    this.forget(entry);
  }

  private index(entry: Entry): void {
    this.byEvent.set(entry.id, entry);
    this.keys.delete(entry); // re-indexed under its (possibly now exact) key
    this.keys.add(entry);
    if (!isWildcardKey(entry.key)) this.byKey.set(entry.key, entry);
  }

  private forget(entry: Entry): void {
    entry.timer?.unsubscribe();
    this.entries.delete(entry);
    this.byEvent.delete(entry.id);
    this.keys.delete(entry);
    if (this.byKey.get(entry.key) === entry) this.byKey.delete(entry.key);
  }

  /** The entry of a key: exact first; a wildcard on either side matches any value of its part. */
  private find(key: string): Entry | undefined {
    return this.byKey.get(key) ?? this.keys.find(key);
  }

  /** Sent facts past the window go; past maxFacts, the oldest sent ones too. A walk over all of them: at most once a second, or when over maxFacts. */
  private prune(): void {
    const now = this.options.scheduler.now();
    if (now - this.prunedAt < 1000 && this.entries.size < this.maxFacts) return;
    this.prunedAt = now;
    let excess = this.entries.size - this.maxFacts + 1;
    for (const entry of this.entries) {
      if (entry.status !== 'sent') continue;
      if (excess > 0 || now - entry.sentAt >= this.options.windowMs) {
        this.forget(entry);
        excess -= 1;
      }
    }
  }
}
