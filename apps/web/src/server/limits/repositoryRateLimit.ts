/**
 * The rate limits on the repository (SQLite or PostgreSQL): the same token buckets as
 * rateLimit.ts, shared by every web server of a cluster. `attempt` runs the action in the
 * buckets' transaction with the keys locked, so two servers cannot both spend the last token.
 */
import type { Repository } from "../db/repository/repository";
import { BucketMath, type RateDecision } from "./rateLimit";

export class RepositoryRateLimiter {
  private readonly math: BucketMath;

  constructor(
    private readonly repo: Repository,
    /** Prefix of this limiter's keys ("job", "upload"). */
    private readonly kind: string,
    capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.math = new BucketMath(capacity);
  }

  /** Runs `action` (in the transaction, on `tx`) if every key has the tokens, and charges them only if it returns. */
  attempt<T>(keys: readonly string[], action: (tx: Repository) => Promise<T>, cost = 1): Promise<RateDecision<T>> {
    const price = this.math.price(cost);
    return this.repo.transaction(async (tx): Promise<RateDecision<T>> => {
      const full = keys.map((k) => `${this.kind}:${k}`);
      await tx.buckets.lock(full);
      const now = this.now();
      const tokens: number[] = [];
      for (const k of full) tokens.push(this.math.tokens(await tx.buckets.get(k), now));
      const retryAfterMs = this.math.refusal(tokens, price);
      if (retryAfterMs !== undefined) return { allowed: false, retryAfterMs };
      const value = await action(tx);
      for (const [i, k] of full.entries()) await tx.buckets.put(k, { tokens: tokens[i]! - price, updated_ms: now });
      return { allowed: true, value };
    });
  }

  take(keys: readonly string[], cost = 1): Promise<RateDecision<undefined>> {
    return this.attempt(keys, () => Promise.resolve(undefined), cost);
  }

  /** Forgets buckets that have refilled completely. */
  prune(): Promise<void> {
    return this.repo.buckets.prune(this.kind, this.now() - 60_000);
  }
}
