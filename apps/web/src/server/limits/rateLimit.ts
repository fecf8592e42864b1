/**
 * Token bucket per client: `capacity` jobs at once, refilled continuously at `capacity` per minute.
 * In memory: a restart forgives everyone, which is fine for a limit meant to stop floods.
 */
export interface RateDecision {
  allowed: boolean;
  /** When not allowed: how long until one token is back. */
  retryAfterMs: number;
}

const MAX_CLIENTS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly refillPerMs: number;

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = capacity / 60_000;
  }

  take(client: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.refillPerMs);
    bucket.at = now;
    // Re-inserted so the Map's order is least recently used first, for the eviction below.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > MAX_CLIENTS) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.refillPerMs) };
  }
}
