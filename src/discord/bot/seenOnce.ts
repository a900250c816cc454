/**
 * Discord may deliver one event twice (a gateway replay after a resume, a retried dispatch): the
 * same interaction id or message id again. Acting on it twice would run a command twice and
 * write two audit rows, so ids seen lately are remembered and a repeat is dropped. Bounded in
 * time (an interaction lives 15 min) and in count, so a flood cannot grow it without end.
 */
export class SeenOnce {
  /** id → first seen (ms); insertion order is time order, so the oldest are first. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = 20 * 60_000,
    private readonly max = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time an id is offered (within the window), false for a repeat. */
  first(id: string): boolean {
    const now = this.now();
    this.forgetOld(now);
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    return true;
  }

  private forgetOld(now: number): void {
    for (const [id, at] of this.seen) {
      if (now - at < this.windowMs && this.seen.size < this.max) return;
      this.seen.delete(id);
    }
  }
}
