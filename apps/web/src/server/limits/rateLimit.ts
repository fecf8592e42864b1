/**
 * Token buckets in the database (table rate_buckets), so a restart forgives no one: `capacity`
 * tokens at once per key, refilled continuously at `capacity` per minute. A caller passes several
 * keys (the visitor and the client address): the action is allowed only if every bucket has
 * enough tokens (`cost`: 1 per job or upload, the byte count for the upload volume), and then
 * each pays.
 */
import type Database from "better-sqlite3";

export type RateDecision<T> = { allowed: true; value: T } | { allowed: false; retryAfterMs: number };

export interface Bucket {
  tokens: number;
  updated_ms: number;
}

/** The token-bucket arithmetic, shared by this limiter and the repository's (repositoryRateLimit.ts). */
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
  private readonly getStmt;
  private readonly putStmt;

  constructor(
    private readonly db: Database.Database,
    /** Prefix of this limiter's keys ("job", "upload"). */
    private readonly kind: string,
    capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.math = new BucketMath(capacity);
    this.getStmt = db.prepare<[string], Bucket>("SELECT tokens, updated_ms FROM rate_buckets WHERE key = ?");
    this.putStmt = db.prepare<[string, number, number]>(
      "INSERT INTO rate_buckets (key, tokens, updated_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms",
    );
  }

  /**
   * Runs `action` if every key has a token, and charges them only if it returns: an action that
   * throws (a refused job) costs nothing. One transaction, so concurrent requests cannot both spend
   * the last token.
   */
  attempt<T>(keys: readonly string[], action: () => T, cost = 1): RateDecision<T> {
    const price = this.math.price(cost);
    return this.db.transaction((): RateDecision<T> => {
      const now = this.now();
      const full = keys.map((k) => `${this.kind}:${k}`);
      const tokens = full.map((k) => this.math.tokens(this.getStmt.get(k), now));
      const retryAfterMs = this.math.refusal(tokens, price);
      if (retryAfterMs !== undefined) return { allowed: false, retryAfterMs };
      const value = action();
      full.forEach((k, i) => this.putStmt.run(k, tokens[i]! - price, now));
      return { allowed: true, value };
    })();
  }

  /** Charges `cost` tokens from every key now, if each has them. */
  take(keys: readonly string[], cost = 1): RateDecision<undefined> {
    return this.attempt(keys, () => undefined, cost);
  }

  /** Forgets buckets that have refilled completely (they are equivalent to no row). */
  prune(): void {
    this.db.prepare("DELETE FROM rate_buckets WHERE key LIKE ? AND updated_ms < ?").run(`${this.kind}:%`, this.now() - 60_000);
  }
}

/** "try again in 7 seconds" */
export function retryIn(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return `try again in ${s} second${s === 1 ? "" : "s"}`;
}
