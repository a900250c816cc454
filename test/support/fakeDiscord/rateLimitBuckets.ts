/**
 * Discord-style per-route rate limits: a fixed window per bucket key (route + major parameter)
 * that starts with the first request after the previous window ended, and the X-RateLimit-*
 * headers a client needs to stay inside it. Requests answered 429 do not use up the window.
 */
import { createHash } from 'node:crypto';

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface BucketStats {
  /** e.g. `webhook:123…`, `channel:456…`, `POST /applications/:id/commands 789…`. */
  key: string;
  /** Route template, e.g. `POST /webhooks/:id/:token`. */
  route: string;
  limit: number;
  windowMs: number;
  /** Requests that reached this bucket (accepted + limited). */
  requests: number;
  accepted: number;
  /** Answered 429 because the client exceeded the window. */
  limited: number;
  /** The most requests a client attempted within one of the bucket's windows (429s included). */
  maxAttemptsInWindow: number;
}

export interface BucketDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds until the window resets (for 429 bodies). */
  retryAfterS: number;
}

interface Bucket extends BucketStats {
  hash: string;
  windowStart: number;
  used: number;
  attemptsInWindow: number;
}

export class RateLimitBuckets {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one request from the bucket `key` (created with `rule` on first use). */
  take(key: string, route: string, rule: RateLimit, now = Date.now()): BucketDecision {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = {
        key,
        route,
        limit: rule.limit,
        windowMs: rule.windowMs,
        // Stable per route template, as Discord's: a changing hash would move discord.js to a fresh handler.
        hash: createHash('sha1').update(route).digest('hex').slice(0, 32),
        windowStart: 0,
        used: 0,
        attemptsInWindow: 0,
        requests: 0,
        accepted: 0,
        limited: 0,
        maxAttemptsInWindow: 0,
      };
      this.buckets.set(key, bucket);
    }
    if (now >= bucket.windowStart + bucket.windowMs) {
      bucket.windowStart = now;
      bucket.used = 0;
      bucket.attemptsInWindow = 0;
    }
    bucket.requests++;
    bucket.attemptsInWindow++;
    bucket.maxAttemptsInWindow = Math.max(bucket.maxAttemptsInWindow, bucket.attemptsInWindow);
    const allowed = bucket.used < bucket.limit;
    if (allowed) {
      bucket.used++;
      bucket.accepted++;
    } else bucket.limited++;
    const resetAt = bucket.windowStart + bucket.windowMs;
    // Rounded up to the ms so a client that waits exactly Reset-After is never early.
    const resetAfterS = Math.ceil(resetAt - now) / 1000;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(bucket.limit),
      'X-RateLimit-Remaining': String(bucket.limit - bucket.used),
      'X-RateLimit-Reset': (Math.ceil(resetAt) / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfterS.toFixed(3),
      'X-RateLimit-Bucket': bucket.hash,
    };
    if (!allowed) {
      headers['Retry-After'] = resetAfterS.toFixed(3);
      headers['X-RateLimit-Scope'] = 'user';
    }
    return { allowed, headers, retryAfterS: resetAfterS };
  }

  stats(): BucketStats[] {
    return [...this.buckets.values()].map(({ key, route, limit, windowMs, requests, accepted, limited, maxAttemptsInWindow }) => ({
      key,
      route,
      limit,
      windowMs,
      requests,
      accepted,
      limited,
      maxAttemptsInWindow,
    }));
  }
}
