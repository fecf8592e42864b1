/**
 * Token buckets in the database (table rate_buckets), so a restart forgives no one: `capacity`
 * tokens at once per key, refilled continuously at `capacity` per minute. A caller passes several
 * keys (the visitor and the client address): the action is allowed only if every bucket has
 * enough tokens (`cost`: 1 per job or upload, the byte count for the upload volume), and then
 * each pays.
 */
import type Database from "better-sqlite3";

export type RateDecision<T> = { allowed: true; value: T } | { allowed: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updated_ms: number;
}

export class RateLimiter {
  private readonly refillPerMs: number;
  private readonly getStmt;
  private readonly putStmt;

  constructor(
    private readonly db: Database.Database,
    /** Prefix of this limiter's keys ("job", "upload"). */
    private readonly kind: string,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = capacity / 60_000;
    this.getStmt = db.prepare<[string], Bucket>("SELECT tokens, updated_ms FROM rate_buckets WHERE key = ?");
    this.putStmt = db.prepare<[string, number, number]>(
      "INSERT INTO rate_buckets (key, tokens, updated_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms",
    );
  }

  private tokens(key: string, now: number): number {
    const row = this.getStmt.get(key);
    return row ? Math.min(this.capacity, row.tokens + (now - row.updated_ms) * this.refillPerMs) : this.capacity;
  }

  /**
   * Runs `action` if every key has a token, and charges them only if it returns: an action that
   * throws (a refused job) costs nothing. One transaction, so concurrent requests cannot both spend
   * the last token.
   */
  attempt<T>(keys: readonly string[], action: () => T, cost = 1): RateDecision<T> {
    // A cost above the capacity could never be paid: it is capped (one such action per minute).
    const price = Math.min(cost, this.capacity);
    return this.db.transaction((): RateDecision<T> => {
      const now = this.now();
      const full = keys.map((k) => `${this.kind}:${k}`);
      const tokens = full.map((k) => this.tokens(k, now));
      const short = Math.min(...tokens);
      if (short < price) return { allowed: false, retryAfterMs: Math.ceil((price - short) / this.refillPerMs) };
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
