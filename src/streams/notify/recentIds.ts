/**
 * The last N event ids, for dedupe: a set for lookups and a ring for age, so remembering one
 * more id and forgetting the oldest are O(1) (taking the first entry of a Set after many
 * deletions is not: V8 walks over the deleted slots).
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`RecentIds capacity must be a whole number ≥ 1, got ${capacity}`);
    this.ring = new Array<string | undefined>(capacity);
  }

  /** True if the id was seen among the last `capacity` ids; otherwise remembers it. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) this.ids.delete(oldest);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.ids.add(id);
    return false;
  }

  get size(): number {
    return this.ids.size;
  }
}
