/**
 * Token buckets in the database (table rate_buckets, SQLite or PostgreSQL: shared by every web
 * server of a cluster), so a restart forgives no one: `capacity`
 * tokens at once per key, refilled continuously at `capacity` per minute. A caller passes several
 * keys (the visitor and the client address): the action is allowed only if every bucket has
 * enough tokens (`cost`: 1 per job or upload, the byte count for the upload volume), and then
 * each pays.
 */
import type { Repository } from "../db/repository/repository";
import type { Bucket } from "../db/repository/rows";

export type RateDecision<T> = { allowed: true; value: T } | { allowed: false; retryAfterMs: number };

/** The token-bucket arithmetic. */
export class BucketMath {
  readonly refillPerMs: number;

  constructor(readonly capacity: number) {
    this.refillPerMs = capacity / 60_000;
  }

  /** Tokens a bucket holds at `now` (a missing bucket is full). */
  tokens(row: Bucket | undefined, now: number): number {
    return row ? Math.min(this.capacity, row.tokens + (now - row.updated_ms) * this.refillPerMs) : this.capacity;
  }

  /** A cost above the capacity could never be paid: it is capped (one such action per minute). */
  price(cost: number): number {
    return Math.min(cost, this.capacity);
  }

  /** Undefined when every bucket can pay `price`, else how long until the emptiest can. */
  refusal(tokens: readonly number[], price: number): number | undefined {
    const short = Math.min(...tokens);
    return short < price ? Math.ceil((price - short) / this.refillPerMs) : undefined;
  }
}

export class RateLimiter {
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

  /**
   * Runs `action` (in the buckets' transaction, on `tx`) if every key has the tokens, and charges
   * them only if it returns: an action that throws (a refused job) costs nothing. The keys are
   * locked for the transaction, so two requests (or two servers) cannot both spend the last token.
   * `within`: a transaction to join (another limiter's), instead of one of its own.
   */
  attempt<T>(keys: readonly string[], action: (tx: Repository) => Promise<T>, cost = 1, within: Repository = this.repo): Promise<RateDecision<T>> {
    const price = this.math.price(cost);
    return within.transaction(async (tx): Promise<RateDecision<T>> => {
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

  /** Charges `cost` tokens from every key now, if each has them. */
  take(keys: readonly string[], cost = 1, within: Repository = this.repo): Promise<RateDecision<undefined>> {
    return this.attempt(keys, () => Promise.resolve(undefined), cost, within);
  }

  /** Forgets buckets that have refilled completely (they are equivalent to no row). */
  prune(): Promise<void> {
    return this.repo.buckets.prune(this.kind, this.now() - 60_000);
  }
}

/** "try again in 7 seconds" */
export function retryIn(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return `try again in ${s} second${s === 1 ? "" : "s"}`;
}
