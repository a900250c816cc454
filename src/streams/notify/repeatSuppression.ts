/**
 * repeat_interval for events, which (unlike Alertmanager's alerts) have no "still firing":
 * the same alert is sent at most once per repeat_interval per route. "The same alert" is the
 * same route, type, severity, source, subject, text and fields (the event id and time aside),
 * so a log line printed at every poll is one alert while a new price is a new one.
 */
import { createHash } from 'node:crypto';
import type { BaristaEvent } from '../../model/BaristaEvent';

/** JSON with object keys sorted, so equal fields give equal text whatever their order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A short digest of what makes two events "the same alert" on one route. */
export function alertSignature(route: number, event: BaristaEvent): string {
  return createHash('sha1')
    .update([route, event.type, event.severity, event.source, event.subject, event.text ?? '', stableJson(event.fields)].join('\u0000'))
    .digest('base64');
}

/**
 * Remembers when each alert was last let through. Bounded: windows that have passed are dropped
 * as newer ones come (oldest first), and past maxEntries the oldest goes even if still open.
 */
export class RepeatSuppressor {
  /** signature → end of its window (epoch ms). */
  private readonly windows = new Map<string, number>();
  /** The windows in the order they opened; an entry is stale once its signature reopened. */
  private queue: { signature: string; until: number }[] = [];
  private head = 0;

  constructor(private readonly maxEntries = 50_000) {}

  /** True when this alert was let through less than intervalMs ago (suppress it); else records it. */
  isRepeat(signature: string, nowMs: number, intervalMs: number): boolean {
    if (intervalMs <= 0) return false;
    const until = this.windows.get(signature);
    if (until !== undefined && until > nowMs) return true;
    this.windows.set(signature, nowMs + intervalMs);
    this.queue.push({ signature, until: nowMs + intervalMs });
    this.prune(nowMs);
    return false;
  }

  get size(): number {
    return this.windows.size;
  }

  private prune(nowMs: number): void {
    while (this.head < this.queue.length) {
      const oldest = this.queue[this.head];
      const current = this.windows.get(oldest.signature) === oldest.until;
      if (current && oldest.until > nowMs && this.windows.size <= this.maxEntries) break;
      if (current) this.windows.delete(oldest.signature);
      this.head += 1;
    }
    // Windows of different lengths can leave stale entries behind a long one: compact now and then.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.queue.length - this.head > 2 * this.maxEntries + 1024) {
      this.queue = this.queue.slice(this.head).filter((entry) => this.windows.get(entry.signature) === entry.until);
      this.head = 0;
    }
  }
}
