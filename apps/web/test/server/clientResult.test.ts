/**
 * jobs.createClientResult: a Fast result made in the visitor's browser, kept as a finished job of
 * theirs. Never trusted: the PNG is decoded and re-encoded, its size must be the job's, the inputs
 * must be the visitor's, and it pays the upload and job rate limits and the quota like anything else.
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import type { EmbeddedApp } from "../../src/server/app.js";
import { serveResult } from "../../src/server/http/handlers.js";
import { handleTrpc } from "../../src/server/http/trpcHandler.js";
import type { ServerConfig } from "../../src/server/limits/config.js";
import {
  blobList,
  callerFor,
  countRows,
  fakeRunners,
  jpegBytes,
  openApp,
  ownerOf,
  pngBytes,
  rejected,
  tempDir,
  testConfig,
  uploadForm,
  visitorHeaders,
  type FakeRunner,
} from "./helpers.js";

let app: EmbeddedApp;
let runners: { fast: FakeRunner; quality: FakeRunner };
let cleanup: (() => void) | undefined;

async function open(overrides: Partial<ServerConfig> = {}): Promise<void> {
  const { dir, remove } = tempDir();
  const fake = fakeRunners(true);
  runners = fake.runners;
  app = await openApp(
    testConfig(dir, { limits: { maxUploadBytes: 400_000, maxInputPixels: 4_000_000, maxOutputSide: 512, maxIterations: 100 }, ...overrides }),
    fake.factory,
  );
  cleanup = remove;
}

afterEach(async () => {
  await app.close();
  cleanup?.();
});

/** Alice's content (160×120) and style uploads. */
async function inputs(visitor = "alice"): Promise<{ contentId: string; styleId: string }> {
  const caller = callerFor(app, "203.0.113.7", visitor);
  const content = await caller.images.upload(uploadForm(await pngBytes(160, 120), "content"));
  const style = await caller.images.upload(uploadForm(await jpegBytes(64, 64), "style"));
  return { contentId: content.id, styleId: style.id };
}

function resultForm(file: Uint8Array | null, job: unknown, extra: { backend?: string; ms?: string } = {}): FormData {
  const form = new FormData();
  if (file !== null) form.set("file", new File([new Uint8Array(file)], "result.png"));
  form.set("job", typeof job === "string" ? job : JSON.stringify(job));
  form.set("backend", extra.backend ?? "webgl");
  form.set("ms", extra.ms ?? "42");
  return form;
}

/** What a Fast job of the 160×120 content at size 128 makes: 128×96. */
const resultPng = (width = 128, height = 96) => pngBytes(width, height);

describe("jobs.createClientResult", () => {
  it("keeps a browser's result as a finished Fast job of the visitor, which nobody else can see", async () => {
    await open();
    const { contentId, styleId } = await inputs();
    const alice = callerFor(app);
    const { id } = await alice.jobs.createClientResult(
      resultForm(await resultPng(), { contentId, styleIds: [styleId], options: { size: 128, strength: 0.8 } }),
    );

    const job = await alice.jobs.get({ id });
    expect(job).toMatchObject({ mode: "fast", status: "succeeded", options: { size: 128, strength: 0.8 }, error: null, resultUrl: `/api/jobs/${id}/result` });
    expect(job.progress).toMatchObject({ iteration: 1, iterations: 1, elapsedMs: 42, browserBackend: "webgl" });
    expect(job.startedAt).not.toBeNull();
    expect((await alice.jobs.list({})).items.map((j) => j.id)).toEqual([id]);
    // It never reached a worker.
    await app.queue.settled();
    expect(runners.fast.runs).toEqual([]);

    // The stored image is the server's re-encode, of the size checked.
    const served = await serveResult(app, ownerOf("alice"), id, new URL("http://x/"));
    expect(served.status).toBe(200);
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 128, 96]);
    // Counted against the quota like a server job's result.
    const info = await alice.system.info();
    expect(info.storage.usedBytes).toBeGreaterThan(0);

    const bob = callerFor(app, "198.51.100.2", "bob");
    expect((await rejected(bob.jobs.get({ id }))).code).toBe("NOT_FOUND");
    expect((await bob.jobs.list({})).items).toEqual([]);
    expect((await serveResult(app, ownerOf("bob"), id, new URL("http://x/"))).status).toBe(404);
  });

  it.each([
    ["a JPEG instead of a PNG", () => jpegBytes(128, 96), {}, "BAD_REQUEST", /must be a PNG/],
    ["bytes that are not an image", () => Promise.resolve(randomBytes(2000)), {}, "BAD_REQUEST", /must be a PNG/],
    ["a truncated PNG", async () => (await resultPng()).subarray(0, 60), {}, "BAD_REQUEST", /damaged or incomplete/],
    ["an empty file", () => Promise.resolve(Buffer.alloc(0)), {}, "BAD_REQUEST", /empty/],
    [
      "a PNG of another size than the job's",
      () => resultPng(256, 192),
      {},
      "BAD_REQUEST",
      /The result is 256×192; a Fast job of this content image at size 128 makes 128×96\./,
    ],
    ["a PNG of other proportions", () => resultPng(128, 128), {}, "BAD_REQUEST", /makes 128×96/],
    ["an unknown backend", () => resultPng(), { backend: "cpu" }, "BAD_REQUEST", /backend \(webgpu, webgl, wasm\)/],
    ["a time that is not one", () => resultPng(), { ms: "soon" }, "BAD_REQUEST", /field ms/],
  ] as const)("refuses %s with a clear message and stores nothing", async (_what, bytes, extra, code, message) => {
    await open();
    const { contentId, styleId } = await inputs();
    const before = await blobList(app);
    const e = await rejected(
      callerFor(app).jobs.createClientResult(resultForm(await bytes(), { contentId, styleIds: [styleId], options: { size: 128 } }, extra)),
    );
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(await countRows(app, "jobs")).toBe(0);
    expect(await blobList(app)).toEqual(before);
  });

  it("validates the job like jobs.create: this server's limits, JSON, a file", async () => {
    await open();
    const { contentId, styleId } = await inputs();
    const alice = callerFor(app);
    const tooBig = await rejected(alice.jobs.createClientResult(resultForm(await resultPng(), { contentId, styleIds: [styleId], options: { size: 600 } })));
    expect([tooBig.code, tooBig.message]).toEqual(["BAD_REQUEST", "The output size can be at most 512 pixels on this server."]);
    expect((await rejected(alice.jobs.createClientResult(resultForm(await resultPng(), "{not json")))).message).toBe("The job field is not valid JSON.");
    expect((await rejected(alice.jobs.createClientResult(resultForm(null, { contentId, styleIds: [styleId] })))).message).toMatch(/No result was sent/);
    const weights = await rejected(
      alice.jobs.createClientResult(resultForm(await resultPng(), { contentId, styleIds: [styleId], options: { size: 128, styleBlendWeights: [1, 1] } })),
    );
    expect(weights.message).toMatch(/one blend weight per style image/);
    expect(await countRows(app, "jobs")).toBe(0);
  });

  it("needs inputs the visitor may use: another visitor's content is not found", async () => {
    await open();
    const { contentId, styleId } = await inputs("bob");
    const own = await inputs("alice");
    const e = await rejected(
      callerFor(app).jobs.createClientResult(resultForm(await resultPng(), { contentId, styleIds: [own.styleId], options: { size: 128 } })),
    );
    expect([e.code, e.message]).toEqual(["NOT_FOUND", "The content image is not on the server any more; please upload it again."]);
    const style = await rejected(
      callerFor(app).jobs.createClientResult(resultForm(await resultPng(), { contentId: own.contentId, styleIds: [styleId], options: { size: 128 } })),
    );
    expect(style.code).toBe("NOT_FOUND");
    expect(await countRows(app, "jobs")).toBe(0);
    expect((await app.blobs.list("result")).length).toBe(0);
  });

  it("is refused when the server runs every job itself (PASTICHE_CLIENT_FAST=off)", async () => {
    await open({ clientFast: false });
    const { contentId, styleId } = await inputs();
    const alice = callerFor(app);
    expect((await alice.system.info()).clientFast).toBe(false);
    const e = await rejected(alice.jobs.createClientResult(resultForm(await resultPng(), { contentId, styleIds: [styleId], options: { size: 128 } })));
    expect(e.code).toBe("PRECONDITION_FAILED");
    expect(e.message).toMatch(/PASTICHE_CLIENT_FAST=off/);
  });

  it("pays the job rate limit", async () => {
    await open({ rateLimitPerMinute: 1 });
    const { contentId, styleId } = await inputs();
    const alice = callerFor(app);
    const form = async () => resultForm(await resultPng(), { contentId, styleIds: [styleId], options: { size: 128 } });
    await alice.jobs.createClientResult(await form());
    const e = await rejected(alice.jobs.createClientResult(await form()));
    expect(e.code).toBe("TOO_MANY_REQUESTS");
    expect(e.message).toMatch(/^Too many jobs from you or your address; try again in \d+ seconds?\.$/);
    expect(await countRows(app, "jobs")).toBe(1);
    expect((await app.blobs.list("result")).length).toBe(1);
  });

  it("pays the upload rate limit", async () => {
    await open({ uploadRateLimitPerMinute: 2 });
    const { contentId, styleId } = await inputs(); // two uploads: the bucket is empty now
    const e = await rejected(callerFor(app).jobs.createClientResult(resultForm(await resultPng(), { contentId, styleIds: [styleId], options: { size: 128 } })));
    expect([e.code, e.message]).toEqual(["TOO_MANY_REQUESTS", expect.stringMatching(/^Too many uploads; try again in/)]);
  });

  it("counts against the visitor's quota", async () => {
    await open();
    const { contentId, styleId } = await inputs();
    // Room for what is stored, not for a result as well: the check in the insert's transaction refuses it.
    const used = await app.repo.retention.usedBytes(ownerOf("alice"));
    app.config.visitorQuotaBytes = used + 10;
    const e = await rejected(callerFor(app).jobs.createClientResult(resultForm(await resultPng(), { contentId, styleIds: [styleId], options: { size: 128 } })));
    expect(e.code).toBe("FORBIDDEN");
    expect(e.message).toMatch(/storage/i);
    expect(await countRows(app, "jobs")).toBe(0);
    expect((await app.blobs.list("result")).length).toBe(0);
  });

  it("over HTTP takes a result larger than the small-JSON limit, up to the upload limit", async () => {
    await open();
    const alice = callerFor(app);
    // A noisy 200×150 picture: its PNG is well over the 64 KB that other mutations may send.
    const noise = (w: number, h: number) =>
      sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toBuffer();
    const content = await alice.images.upload(uploadForm(await noise(200, 150), "content"));
    const style = await alice.images.upload(uploadForm(await jpegBytes(64, 64), "style"));
    const png = await noise(200, 150);
    expect(png.length).toBeGreaterThan(64 * 1024);
    const url = "http://localhost/api/trpc/jobs.createClientResult";
    const ok = await handleTrpc(
      new Request(url, {
        method: "POST",
        headers: visitorHeaders(),
        body: resultForm(png, { contentId: content.id, styleIds: [style.id], options: { size: 200 } }),
      }),
      app,
    );
    expect(ok.status).toBe(200);
    const huge = await handleTrpc(
      new Request(url, {
        method: "POST",
        headers: visitorHeaders(),
        body: resultForm(Buffer.alloc(500_000, 1), { contentId: content.id, styleIds: [style.id] }),
      }),
      app,
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toBe("The file is larger than the upload limit of 391 KB.");
    expect(await countRows(app, "jobs")).toBe(1);
  });
});
