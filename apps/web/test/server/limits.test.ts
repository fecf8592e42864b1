import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../../src/server/db/migrate.js";
import { PEER_HEADER, peerHeaderValue } from "../../src/server/http/peer.js";
import { crossOriginRefusal } from "../../src/server/http/sameOrigin.js";
import { clientIp, isHttps } from "../../src/server/limits/clientIp.js";
import { resolveConfig } from "../../src/server/limits/config.js";
import { sqliteRepository } from "../../src/server/db/repository/sqlite.js";
import { RateLimiter } from "../../src/server/limits/rateLimit.js";
import { workerNiceness } from "../../src/server/queue/workerPool.js";
import { MIGRATIONS_DIR, tempDir } from "./helpers.js";

function database(file = ":memory:"): Database.Database {
  const db = new Database(file);
  migrate(db, readMigrations(MIGRATIONS_DIR));
  return db;
}

describe("RateLimiter", () => {
  it("allows a burst of `capacity`, then refills over a minute", async () => {
    let now = 0;
    const limiter = new RateLimiter(sqliteRepository(database()), "job", 6, () => now);
    for (let i = 0; i < 6; i++) expect((await limiter.take(["a"])).allowed).toBe(true);
    const refused = await limiter.take(["a"]);
    expect(refused).toEqual({ allowed: false, retryAfterMs: 10_000 });
    expect((await limiter.take(["b"])).allowed).toBe(true);
    now += 10_000;
    expect((await limiter.take(["a"])).allowed).toBe(true);
    expect((await limiter.take(["a"])).allowed).toBe(false);
  });

  it("needs a token in every key, charges only actions that complete, and survives a restart", async () => {
    const { dir, remove } = tempDir();
    try {
      const file = `${dir}/rate.db`;
      let now = 0;
      let repo = sqliteRepository(database(file));
      let limiter = new RateLimiter(repo, "job", 2, () => now);
      expect(await limiter.attempt(["v:alice", "a:1.1.1.1"], () => Promise.resolve(1))).toEqual({ allowed: true, value: 1 });
      // A refused action (it throws) costs nothing.
      await expect(limiter.attempt(["v:alice", "a:1.1.1.1"], () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
      expect((await limiter.attempt(["v:alice", "a:1.1.1.1"], () => Promise.resolve(2))).allowed).toBe(true);
      // Another visitor at the same address is refused: the address bucket is empty.
      expect((await limiter.take(["v:bob", "a:1.1.1.1"])).allowed).toBe(false);
      // A fresh cookie does not help, nor a new address with the same cookie.
      expect((await limiter.take(["v:alice", "a:2.2.2.2"])).allowed).toBe(false);
      await repo.close();
      repo = sqliteRepository(database(file));
      limiter = new RateLimiter(repo, "job", 2, () => now);
      expect((await limiter.take(["v:alice", "a:3.3.3.3"])).allowed).toBe(false);
      // Other limiters keep their own buckets.
      expect((await new RateLimiter(repo, "upload", 2, () => now).take(["v:alice", "a:1.1.1.1"])).allowed).toBe(true);
      now += 60_000;
      expect((await limiter.take(["v:alice", "a:1.1.1.1"])).allowed).toBe(true);
      // A cost: the byte volume of uploads.
      const bytes = new RateLimiter(repo, "upload-bytes", 1000, () => now);
      expect((await bytes.take(["v:alice"], 600)).allowed).toBe(true);
      expect(await bytes.take(["v:alice"], 600)).toEqual({ allowed: false, retryAfterMs: 12_000 });
      expect((await bytes.take(["v:alice"], 400)).allowed).toBe(true);
      now += 120_000;
      await limiter.prune();
      expect(await repo.db.selectFrom("rate_buckets").select("key").where("key", "like", "job:%").execute()).toEqual([]);
      await repo.close();
    } finally {
      remove();
    }
  });
});

describe("clientIp", () => {
  const peer = (address: string, xff?: string): Headers =>
    new Headers({ [PEER_HEADER]: peerHeaderValue(address), ...(xff !== undefined ? { "x-forwarded-for": xff } : {}) });

  it("is the socket's peer without trusted proxies, whatever X-Forwarded-For says", () => {
    expect(clientIp(peer("10.0.0.9", "6.6.6.6, ::ffff:127.0.0.1"), 0)).toBe("10.0.0.9");
    expect(clientIp(peer("::ffff:127.0.0.1"), 0)).toBe("127.0.0.1");
    // IPv6: the /64, however the address is written.
    expect(clientIp(peer("2001:DB8::1"), 0)).toBe("2001:db8:0:0::/64");
    expect(clientIp(peer("2001:db8:0:0:ffff:1:2:3"), 0)).toBe("2001:db8:0:0::/64");
    expect(clientIp(peer("2001:0db8:0001:0002::9%eth0"), 0)).toBe("2001:db8:1:2::/64");
    expect(clientIp(peer("::1"), 0)).toBe("0:0:0:0::/64");
  });

  it("counts trusted proxies from the right of X-Forwarded-For", () => {
    const h = peer("10.0.0.2", "6.6.6.6, 1.1.1.1, 10.0.0.9");
    expect(clientIp(h, 1)).toBe("10.0.0.9");
    expect(clientIp(h, 2)).toBe("1.1.1.1");
    // Fewer entries than proxies: the request bypassed them; the peer is all we know.
    expect(clientIp(peer("10.0.0.2", "1.1.1.1"), 3)).toBe("10.0.0.2");
  });

  it("ignores a peer header the client forged (no per-process secret)", () => {
    expect(clientIp(new Headers({ [PEER_HEADER]: "forged http 9.9.9.9" }), 0)).toBe("unknown");
    expect(clientIp(new Headers({ "x-forwarded-for": "9.9.9.9" }), 0)).toBe("unknown");
  });

  it("knows HTTPS from the socket, or from a trusted proxy only", () => {
    expect(isHttps(new Headers({ [PEER_HEADER]: peerHeaderValue("1.1.1.1", true) }), 0)).toBe(true);
    expect(isHttps(new Headers({ "x-forwarded-proto": "https" }), 0)).toBe(false);
    expect(isHttps(new Headers({ "x-forwarded-proto": "https" }), 1)).toBe(true);
  });
});

describe("crossOriginRefusal", () => {
  it("accepts this site and non-browser clients, refuses other sites", () => {
    const host = { host: "pastiche.example:3000" };
    expect(crossOriginRefusal(new Headers({ ...host, "sec-fetch-site": "same-origin", origin: "http://pastiche.example:3000" }), 0)).toBeNull();
    expect(crossOriginRefusal(new Headers(host), 0)).toBeNull();
    expect(crossOriginRefusal(new Headers({ ...host, origin: "http://pastiche.example:3000" }), 0)).toBeNull();
    for (const site of ["cross-site", "same-site"]) expect(crossOriginRefusal(new Headers({ ...host, "sec-fetch-site": site }), 0)).toMatch(/another site/);
    expect(crossOriginRefusal(new Headers({ ...host, origin: "https://evil.example" }), 0)).toMatch(/another site/);
    expect(crossOriginRefusal(new Headers({ ...host, origin: "null" }), 0)).toMatch(/another site/);
    // Behind a proxy the public host is the proxy's X-Forwarded-Host.
    expect(
      crossOriginRefusal(new Headers({ host: "127.0.0.1:3000", "x-forwarded-host": "pastiche.example", origin: "https://pastiche.example" }), 1),
    ).toBeNull();
    expect(crossOriginRefusal(new Headers({ host: "127.0.0.1:3000", "x-forwarded-host": "pastiche.example", origin: "https://pastiche.example" }), 0)).toMatch(
      /another site/,
    );
  });
});

describe("workerNiceness", () => {
  it("is relative to the server's and never above 19", () => {
    expect(workerNiceness(0, 10)).toBe(10);
    expect(workerNiceness(5, 10)).toBe(15);
    expect(workerNiceness(19, 10)).toBe(19);
    expect(workerNiceness(15, 10)).toBe(19);
    expect(workerNiceness(-5, 10)).toBe(5);
    expect(workerNiceness(3, -4)).toBe(3);
  });
});

describe("resolveConfig", () => {
  it("reads limits and concurrency from the environment", () => {
    const c = resolveConfig({
      PASTICHE_DATA_DIR: "/tmp/x",
      PASTICHE_MAX_UPLOAD_BYTES: "1000",
      PASTICHE_MAX_INPUT_PIXELS: "5000",
      PASTICHE_MAX_OUTPUT_SIDE: "256",
      PASTICHE_MAX_ITERATIONS: "30",
      PASTICHE_QUALITY_CONCURRENCY: "2",
      PASTICHE_FAST_CONCURRENCY: "3",
      PASTICHE_RATE_LIMIT: "4",
    });
    expect(c).toMatchObject({
      dataDir: "/tmp/x",
      limits: { maxUploadBytes: 1000, maxInputPixels: 5000, maxOutputSide: 256, maxIterations: 30 },
      concurrency: { quality: 2, fast: 3 },
      rateLimitPerMinute: 4,
    });
  });

  it("resolves relative directories from where the command was typed", () => {
    expect(resolveConfig({ PASTICHE_MODELS_DIR: "../shared/models", INIT_CWD: "/repo" }).modelsDir).toBe("/shared/models");
    expect(resolveConfig({ PASTICHE_DATA_DIR: "data", INIT_CWD: "/repo" }).dataDir).toBe("/repo/data");
  });

  it("has documented defaults and refuses a malformed limit", () => {
    const c = resolveConfig({});
    expect(c.limits).toEqual({ maxUploadBytes: 25 * 1024 * 1024, maxInputPixels: 50_000_000, maxOutputSide: 1024, maxIterations: 1000 });
    expect(c.concurrency).toEqual({ quality: 1, fast: 1 });
    expect(c).toMatchObject({ visitorQuotaBytes: 500 * 1024 * 1024, retentionMs: 168 * 3600_000, trustedProxyHops: 0 });
    expect(c.dataDir).toMatch(/pastiche/);
    expect(() => resolveConfig({ PASTICHE_MAX_UPLOAD_BYTES: "25MB" })).toThrow(/PASTICHE_MAX_UPLOAD_BYTES must be an integer/);
    expect(() => resolveConfig({ PASTICHE_QUALITY_CONCURRENCY: "0" })).toThrow(/≥ 1/);
    expect(() => resolveConfig({ PASTICHE_RETENTION_HOURS: "0" })).toThrow(/PASTICHE_RETENTION_HOURS must be a number > 0/);
    expect(resolveConfig({ PASTICHE_RETENTION_HOURS: "0.5", PASTICHE_VISITOR_QUOTA_MB: "2" })).toMatchObject({
      retentionMs: 1_800_000,
      visitorQuotaBytes: 2 * 1024 * 1024,
    });
  });

  it("turns in-browser Fast on by default, off with PASTICHE_CLIENT_FAST=off, and refuses anything else", () => {
    expect(resolveConfig({}).clientFast).toBe(true);
    expect(resolveConfig({ PASTICHE_CLIENT_FAST: "off" }).clientFast).toBe(false);
    expect(resolveConfig({ PASTICHE_CLIENT_FAST: " OFF " }).clientFast).toBe(false);
    expect(resolveConfig({ PASTICHE_CLIENT_FAST: "on" }).clientFast).toBe(true);
    expect(() => resolveConfig({ PASTICHE_CLIENT_FAST: "maybe" })).toThrow(/^PASTICHE_CLIENT_FAST must be on or off, got "maybe"$/);
  });
});
