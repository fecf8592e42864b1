import { describe, expect, it } from "vitest";
import { clientIp } from "../../src/server/limits/clientIp.js";
import { resolveConfig } from "../../src/server/limits/config.js";
import { RateLimiter } from "../../src/server/limits/rateLimit.js";

describe("RateLimiter", () => {
  it("allows a burst of `capacity`, then refills over a minute", () => {
    let now = 0;
    const limiter = new RateLimiter(6, () => now);
    for (let i = 0; i < 6; i++) expect(limiter.take("a").allowed).toBe(true);
    const refused = limiter.take("a");
    expect(refused).toEqual({ allowed: false, retryAfterMs: 10_000 });
    expect(limiter.take("b").allowed).toBe(true);
    now += 10_000;
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
  });
});

describe("clientIp", () => {
  it("takes the rightmost X-Forwarded-For entry, skipping trusted proxies", () => {
    const h = new Headers({ "x-forwarded-for": "6.6.6.6, 1.1.1.1, 10.0.0.9" });
    expect(clientIp(h, 0)).toBe("10.0.0.9");
    expect(clientIp(h, 1)).toBe("1.1.1.1");
    expect(clientIp(new Headers({ "x-real-ip": "2.2.2.2" }), 0)).toBe("2.2.2.2");
    expect(clientIp(new Headers(), 0)).toBe("unknown");
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
    expect(c.dataDir).toMatch(/pastiche/);
    expect(() => resolveConfig({ PASTICHE_MAX_UPLOAD_BYTES: "25MB" })).toThrow(/PASTICHE_MAX_UPLOAD_BYTES must be an integer/);
    expect(() => resolveConfig({ PASTICHE_QUALITY_CONCURRENCY: "0" })).toThrow(/≥ 1/);
  });
});
