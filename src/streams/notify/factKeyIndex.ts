/**
 * Finds the remembered fact a key names in time independent of how many are remembered: keys
 * are indexed by (length, position, part), so a lookup only compares the entries that share its
 * most selective concrete part — or hold `*` there. (A linear scan of the wildcard entries froze
 * the notifier for minutes when a restart re-remembered tens of thousands of facts.)
 */
import { factKeysMatch, WILDCARD } from '../../model/fact';

export interface Keyed {
  key: string;
}

export class FactKeyIndex<E extends Keyed> {
  private readonly buckets = new Map<string, Set<E>>();
  /** Insertion order: of several matches, the first remembered wins. */
  private readonly order = new Map<E, number>();
  private next = 0;

  add(entry: E): void {
    this.order.set(entry, this.next++);
    partsOf(entry.key).forEach((part, i, parts) => {
      const key = bucketKey(parts.length, i, part);
      const bucket = this.buckets.get(key) ?? new Set<E>();
      this.buckets.set(key, bucket.add(entry));
    });
  }

  delete(entry: E): void {
    if (!this.order.delete(entry)) return;
    partsOf(entry.key).forEach((part, i, parts) => {
      const key = bucketKey(parts.length, i, part);
      const bucket = this.buckets.get(key);
      bucket?.delete(entry);
      if (bucket?.size === 0) this.buckets.delete(key);
    });
  }

  /** The first entry whose key can name the same fact as `key` (`*` on either side matches one part). */
  find(key: string): E | undefined {
    const parts = partsOf(key);
    const none = new Set<E>();
    let best: [Set<E>, Set<E>] | null = null;
    // The kind (part 0) is never `*`, so some position always narrows the search; sizes are compared before anything is walked.
    for (let i = 0; i < parts.length; i += 1) {
      if (parts[i] === WILDCARD) continue;
      const pair: [Set<E>, Set<E>] = [this.buckets.get(bucketKey(parts.length, i, parts[i]!)) ?? none, this.buckets.get(bucketKey(parts.length, i, WILDCARD)) ?? none];
      if (best === null || pair[0].size + pair[1].size < best[0].size + best[1].size) best = pair;
    }
    let found: E | undefined;
    for (const bucket of best ?? []) {
      for (const entry of bucket) {
        if (factKeysMatch(entry.key, key) && (found === undefined || this.order.get(entry)! < this.order.get(found)!)) found = entry;
      }
    }
    return found;
  }
}

const partsOf = (key: string): string[] => key.split(':');
const bucketKey = (length: number, position: number, part: string): string => `${length}\u0000${position}\u0000${part}`;
