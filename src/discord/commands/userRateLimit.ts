/**
 * Per-user token buckets: a burst, then a steady rate. A user over the limit is told once per
 * empty bucket, then ignored until a token is back, so a flood gets no flood of answers.
 */
export interface RateDecision {
  allowed: boolean;
  /** Over the limit and not yet told: say "slow down" once. */
  tell: boolean;
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  told: boolean;
}

export class UserRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(userId: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(userId) ?? { tokens: this.burst, updatedAt: now, told: false };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    this.buckets.set(userId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.told = false;
      this.forgetFull(now);
      return { allowed: true, tell: false, retryAfterMs: 0 };
    }
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
    const tell = !bucket.told;
    bucket.told = true;
    return { allowed: false, tell, retryAfterMs };
  }

  /** Buckets that refilled completely carry no information: drop them so the map stays small. */
  private forgetFull(now: number): void {
    if (this.buckets.size < 1000) return;
    for (const [user, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond >= this.burst) this.buckets.delete(user);
    }
  }
}

/** A UserRateLimit that follows a rules edit: new buckets only when the rate changed. */
export class ConfiguredRateLimit {
  private limit: UserRateLimit;
  private key: string;

  constructor(
    private readonly rate: () => { burst: number; per_second: number },
    private readonly now: () => number = Date.now,
  ) {
    const { burst, per_second } = rate();
    this.limit = new UserRateLimit(burst, per_second, now);
    this.key = JSON.stringify([burst, per_second]);
  }

  take(userId: string): RateDecision {
    const { burst, per_second } = this.rate();
    const key = JSON.stringify([burst, per_second]);
    if (key !== this.key) [this.limit, this.key] = [new UserRateLimit(burst, per_second, this.now), key];
    return this.limit.take(userId);
  }
}

/** The audit outcome of a refusal for going over commands.rate. */
export const rateLimited = (retryAfterMs: number) => `rate limited (commands.rate); retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
