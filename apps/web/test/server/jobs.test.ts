import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobCreateInput, JobView } from "../../src/shared/jobSchemas.js";
import type { EmbeddedApp } from "../../src/server/app.js";
import { servePreview, serveResult } from "../../src/server/http/handlers.js";
import { handleTrpc } from "../../src/server/http/trpcHandler.js";
import { writeFileAtomic } from "../../src/server/storage/atomicWrite.js";
import {
  callerFor,
  fakeRunners,
  jpegBytes,
  openApp,
  pngBytes,
  tempDir,
  testConfig,
  uploadForm,
  visitorHeaders,
  waitFor,
  ownerOf,
  type FakeRunner,
  rejected,
} from "./helpers.js";

let app: EmbeddedApp;
let runners: { fast: FakeRunner; quality: FakeRunner };
let cleanup: () => void;
let contentId: string;
let styleId: string;

async function setup(overrides: Parameters<typeof testConfig>[1] = {}): Promise<void> {
  const { dir, remove } = tempDir();
  const fakes = fakeRunners();
  runners = fakes.runners;
  app = await openApp(testConfig(dir, overrides), fakes.factory);
  cleanup = remove;
  const caller = callerFor(app);
  contentId = (await caller.images.upload(uploadForm(await pngBytes(), "content"))).id;
  styleId = (await caller.images.upload(uploadForm(await jpegBytes(), "style"))).id;
}

beforeEach(async () => {
  await setup();
});

afterEach(async () => {
  await app.close();
  cleanup();
});

const quality = (options: Record<string, unknown> = {}): JobCreateInput => ({
  mode: "quality",
  contentId,
  styleIds: [styleId],
  options: { size: 64, iterations: 5, ...options },
});
const fast = (options: Record<string, unknown> = {}): JobCreateInput => ({ mode: "fast", contentId, styleIds: [styleId], options: { size: 64, ...options } });

describe("jobs.create / jobs.get", () => {
  it("creates a queued job, runs it in its lane and reports the result", async () => {
    const caller = callerFor(app);
    const { id } = await caller.jobs.create(quality({ preserveColors: "luminance" }));
    await waitFor(() => runners.quality.runs.length === 1, 2000, "the job to start");
    const run = runners.quality.runs[0]!;
    expect(run.task).toMatchObject({
      jobId: id,
      mode: "quality",
      contentPath: app.paths.upload(contentId),
      stylePaths: [app.paths.upload(styleId)],
      resultPath: app.paths.result(id),
    });
    expect(run.task.options).toMatchObject({ size: 64, iterations: 5, preserveColors: "luminance", styleWeight: 1e-2 });
    let job = await caller.jobs.get({ id });
    expect(job).toMatchObject({
      id,
      mode: "quality",
      status: "running",
      error: null,
      resultUrl: null,
      queuePosition: null,
      contentUrl: `/api/images/${contentId}`,
      styleUrls: [`/api/images/${styleId}`],
    });
    expect(job.startedAt).not.toBeNull();

    await writeFileAtomic(run.task.previewPath, await jpegBytes(16, 16));
    run.progress({ iteration: 3, iterations: 5, elapsedMs: 300, etaMs: 200, losses: { total: 6, content: 1, style: 2, tv: 3 }, previewWritten: true });
    job = await caller.jobs.get({ id });
    expect(job.progress).toEqual({ iteration: 3, iterations: 5, elapsedMs: 300, etaMs: 200, losses: { total: 6, content: 1, style: 2, tv: 3 } });
    expect(job.previewUrl).toBe(`/api/jobs/${id}/preview?v=1`);
    expect((await servePreview(app, ownerOf("alice"), id)).headers.get("content-type")).toBe("image/jpeg");

    await writeFileAtomic(run.task.resultPath, await pngBytes(16, 16));
    run.finish({ status: "succeeded" });
    await app.queue.settled();
    job = await caller.jobs.get({ id });
    expect(job).toMatchObject({ status: "succeeded", resultUrl: `/api/jobs/${id}/result`, downloadUrl: `/api/jobs/${id}/result?download=1` });
    expect(job.finishedAt).not.toBeNull();
    const download = await serveResult(app, ownerOf("alice"), id, new URL(`http://x${job.downloadUrl!}`));
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(download.headers.get("content-disposition")).toBe(`attachment; filename="pastiche-${id.slice(0, 8)}.png"`);
    expect((await serveResult(app, ownerOf("alice"), id, new URL("http://x/"))).headers.get("content-disposition")).toBeNull();
  });

  it("reports a failed run with its reason", async () => {
    const { id } = await callerFor(app).jobs.create(fast());
    await waitFor(() => runners.fast.runs.length === 1);
    runners.fast.runs[0]!.finish({ status: "failed", error: "Model file missing." });
    await app.queue.settled();
    expect(await callerFor(app).jobs.get({ id })).toMatchObject({ status: "failed", error: "Model file missing.", resultUrl: null });
    expect((await serveResult(app, ownerOf("alice"), id, new URL("http://x/"))).status).toBe(404);
  });

  it("refuses options over the server's limits and unknown or missing images", async () => {
    await app.close();
    cleanup();
    await setup({ limits: { maxUploadBytes: 1_000_000, maxInputPixels: 1_000_000, maxOutputSide: 128, maxIterations: 50 } });
    const caller = callerFor(app);
    let e = await rejected(caller.jobs.create(quality({ size: 256 })));
    expect(e.code).toBe("BAD_REQUEST");
    e = await rejected(caller.jobs.create(quality({ iterations: 51 })));
    expect(e.code).toBe("BAD_REQUEST");
    e = await rejected(caller.jobs.create({ ...fast(), contentId: "A".repeat(22) }));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toBe("The content image is not on the server any more; please upload it again.");
    e = await rejected(caller.jobs.create({ ...fast(), styleIds: [styleId, "B".repeat(22)] }));
    expect(e.code).toBe("NOT_FOUND");
    e = await rejected(caller.jobs.create({ ...fast(), styleIds: [] }));
    expect(e.code).toBe("BAD_REQUEST");
    e = await rejected(caller.jobs.create(fast({ strength: 1.5 })));
    expect(e.code).toBe("BAD_REQUEST");
    expect(app.db.prepare("SELECT COUNT(*) AS n FROM jobs").get()).toEqual({ n: 0 });

    // Over HTTP the message is one readable sentence.
    const res = await handleTrpc(
      new Request("http://localhost/api/trpc/jobs.create", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(quality({ size: 256 })),
      }),
      app,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toBe("The output size can be at most 128 pixels on this server.");
  });

  it("fills defaults within this server's limits, and allows limits above the defaults", async () => {
    await app.close();
    cleanup();
    await setup({ limits: { maxUploadBytes: 1_000_000, maxInputPixels: 1_000_000, maxOutputSide: 128, maxIterations: 50 } });
    const small = await callerFor(app).jobs.create({ mode: "quality", contentId, styleIds: [styleId] });
    expect((await callerFor(app).jobs.get({ id: small.id })).options).toMatchObject({ size: 128, iterations: 50 });
    const fastJob = await callerFor(app).jobs.create({ mode: "fast", contentId, styleIds: [styleId] });
    expect((await callerFor(app).jobs.get({ id: fastJob.id })).options).toMatchObject({ size: 128 });
    await app.close();
    cleanup();
    await setup({ limits: { maxUploadBytes: 1_000_000, maxInputPixels: 1_000_000, maxOutputSide: 2048, maxIterations: 5000 } });
    const big = await callerFor(app).jobs.create(quality({ size: 2000, iterations: 3000 }));
    expect((await callerFor(app).jobs.get({ id: big.id })).options).toMatchObject({ size: 2000, iterations: 3000 });
  });

  it("refuses a job whose model files the server does not have", async () => {
    await app.close();
    cleanup();
    const emptyModels = tempDir("pastiche-no-models-");
    await setup({ modelsDir: emptyModels.dir });
    const previous = cleanup;
    cleanup = () => {
      previous();
      emptyModels.remove();
    };
    const e = await rejected(callerFor(app).jobs.create(quality()));
    expect(e.code).toBe("PRECONDITION_FAILED");
    expect(e.message).toMatch(/^This server does not have the model files Quality jobs need/);
    expect((await rejected(callerFor(app).jobs.create(fast()))).code).toBe("PRECONDITION_FAILED");
  });

  it("answers NOT_FOUND for unknown ids and BAD_REQUEST for ids that are not ids", async () => {
    const caller = callerFor(app);
    expect((await rejected(caller.jobs.get({ id: "x".repeat(22) }))).code).toBe("NOT_FOUND");
    expect((await rejected(caller.jobs.cancel({ id: "x".repeat(22) }))).code).toBe("NOT_FOUND");
    for (const id of ["../../../etc/passwd", "..%2F..%2Fpastiche.db", "a/b", "", "x".repeat(23)]) {
      expect((await rejected(caller.jobs.get({ id }))).code).toBe("BAD_REQUEST");
    }
    expect((await serveResult(app, ownerOf("alice"), "../pastiche.db", new URL("http://x/"))).status).toBe(404);
    expect((await servePreview(app, ownerOf("alice"), "..")).status).toBe(404);
  });
});

describe("the queue", () => {
  it("runs each lane first in, first out, one at a time, and Fast jobs while a Quality job runs", async () => {
    const caller = callerFor(app);
    const q1 = (await caller.jobs.create(quality())).id;
    const q2 = (await caller.jobs.create(quality())).id;
    const q3 = (await caller.jobs.create(quality())).id;
    const f1 = (await caller.jobs.create(fast())).id;
    const f2 = (await caller.jobs.create(fast())).id;
    await waitFor(() => runners.quality.runs.length === 1 && runners.fast.runs.length === 1);
    // The Fast job is not stuck behind the running Quality job.
    expect(runners.fast.runs[0]!.task.jobId).toBe(f1);
    expect(runners.quality.runs[0]!.task.jobId).toBe(q1);
    expect((await caller.jobs.get({ id: q2 })).queuePosition).toBe(0);
    expect((await caller.jobs.get({ id: q3 })).queuePosition).toBe(1);
    expect((await caller.jobs.get({ id: f2 })).queuePosition).toBe(0);

    runners.fast.runs[0]!.finish({ status: "succeeded" });
    await waitFor(() => runners.fast.runs.length === 2);
    expect(runners.fast.runs[1]!.task.jobId).toBe(f2);
    expect((await caller.jobs.get({ id: q1 })).status).toBe("running");

    runners.quality.runs[0]!.finish({ status: "succeeded" });
    await waitFor(() => runners.quality.runs.length === 2);
    expect(runners.quality.runs[1]!.task.jobId).toBe(q2);
    runners.quality.runs[1]!.finish({ status: "succeeded" });
    await waitFor(() => runners.quality.runs.length === 3);
    expect(runners.quality.runs[2]!.task.jobId).toBe(q3);
    runners.quality.runs[2]!.finish({ status: "succeeded" });
    runners.fast.runs[1]!.finish({ status: "succeeded" });
    await app.queue.settled();
    const statuses = (await caller.jobs.list({})).items.map((j) => j.status);
    expect(statuses).toEqual(["succeeded", "succeeded", "succeeded", "succeeded", "succeeded"]);
  });

  it("runs several jobs of a lane at once up to its concurrency", async () => {
    await app.close();
    cleanup();
    const { dir, remove } = tempDir();
    cleanup = remove;
    const fakes = Array.from({ length: 2 }, () => fakeRunners().runners.quality);
    app = await openApp(testConfig(dir, { concurrency: { quality: 2, fast: 1 } }), (mode, slot) =>
      mode === "quality" ? fakes[slot]! : fakeRunners().runners.fast,
    );
    const caller = callerFor(app);
    contentId = (await caller.images.upload(uploadForm(await pngBytes(), "content"))).id;
    styleId = (await caller.images.upload(uploadForm(await pngBytes(), "style"))).id;
    for (let i = 0; i < 3; i++) await caller.jobs.create(quality());
    await waitFor(() => fakes.every((f) => f.runs.length === 1));
    const items = (await caller.jobs.list({})).items;
    expect(items.map((j) => j.status)).toEqual(["queued", "running", "running"]);
  });
});

describe("jobs.cancel", () => {
  it("cancels a queued job at once; it never runs", async () => {
    const caller = callerFor(app);
    await caller.jobs.create(quality());
    const { id } = await caller.jobs.create(quality());
    const view = await caller.jobs.cancel({ id });
    expect(view).toMatchObject({ status: "cancelled", queuePosition: null });
    expect(view.finishedAt).not.toBeNull();
    runners.quality.runs[0]!.finish({ status: "succeeded" });
    await app.queue.settled();
    expect(runners.quality.runs).toHaveLength(1);
  });

  it("signals a running job to stop and frees its lane when it has", async () => {
    const caller = callerFor(app);
    const { id } = await caller.jobs.create(quality());
    const next = (await caller.jobs.create(quality())).id;
    await waitFor(() => runners.quality.runs.length === 1);
    const run = runners.quality.runs[0]!;
    const view = await caller.jobs.cancel({ id });
    expect(view.status).toBe("cancelled");
    expect(run.signal.aborted).toBe(true);
    await waitFor(() => runners.quality.runs.length === 2);
    expect(runners.quality.runs[1]!.task.jobId).toBe(next);
    expect((await caller.jobs.get({ id })).status).toBe("cancelled");
    // Cancelling a finished job leaves it as it was.
    expect((await caller.jobs.cancel({ id })).status).toBe("cancelled");
  });

  it("leaves a finished job alone", async () => {
    const caller = callerFor(app);
    const { id } = await caller.jobs.create(fast());
    await waitFor(() => runners.fast.runs.length === 1);
    runners.fast.runs[0]!.finish({ status: "succeeded" });
    await app.queue.settled();
    expect((await caller.jobs.cancel({ id })).status).toBe("succeeded");
  });
});

describe("jobs.list", () => {
  it("pages newest first with a cursor", async () => {
    const caller = callerFor(app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await caller.jobs.create(quality())).id);
    const first = await caller.jobs.list({ limit: 2 });
    expect(first.items.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await caller.jobs.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const third = await caller.jobs.list({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((j) => j.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
    expect((await rejected(caller.jobs.list({ cursor: "'; DROP TABLE jobs; --" }))).code).toBe("BAD_REQUEST");
  });
});

describe("rate limit", () => {
  it("refuses a visitor's jobs over the limit, per visitor and per address", async () => {
    await app.close();
    cleanup();
    await setup({ rateLimitPerMinute: 3 });
    const alice = callerFor(app, "198.51.100.1");
    for (let i = 0; i < 3; i++) await alice.jobs.create(fast());
    const e = await rejected(alice.jobs.create(fast()));
    expect(e.code).toBe("TOO_MANY_REQUESTS");
    expect(e.message).toMatch(/^Too many jobs from you or your address; try again in \d+ seconds\.$/);
    // Same visitor from another address: still refused (the visitor's bucket is empty).
    expect((await rejected(callerFor(app, "198.51.100.2").jobs.create(fast()))).code).toBe("TOO_MANY_REQUESTS");
    // A new cookie at the same address: refused too (the address's bucket is empty).
    const bob = callerFor(app, "198.51.100.1", "bob");
    const bobsContent = (await bob.images.upload(uploadForm(await pngBytes(), "content"))).id;
    expect((await rejected(bob.jobs.create({ ...fast(), contentId: bobsContent, styleIds: [bobsContent] }))).code).toBe("TOO_MANY_REQUESTS");
    // Someone else elsewhere is not affected.
    const carol = callerFor(app, "198.51.100.3", "carol");
    const carols = (await carol.images.upload(uploadForm(await pngBytes(), "content"))).id;
    await carol.jobs.create({ ...fast(), contentId: carols, styleIds: [carols] });
  });

  it("charges only jobs actually created", async () => {
    await app.close();
    cleanup();
    await setup({ rateLimitPerMinute: 2 });
    const caller = callerFor(app);
    for (let i = 0; i < 5; i++) {
      expect((await rejected(caller.jobs.create({ ...fast(), contentId: "A".repeat(22) }))).code).toBe("NOT_FOUND");
      expect((await rejected(caller.jobs.create(fast({ strength: 3 })))).code).toBe("BAD_REQUEST");
    }
    await caller.jobs.create(fast());
    await caller.jobs.create(fast());
    expect((await rejected(caller.jobs.create(fast()))).code).toBe("TOO_MANY_REQUESTS");
  });

  it("keys the limit by the socket's address: X-Forwarded-For written by the client changes nothing", async () => {
    await app.close();
    cleanup();
    await setup({ rateLimitPerMinute: 1 });
    const post = (visitor: string, xff: string) =>
      handleTrpc(
        new Request("http://localhost/api/trpc/jobs.create", {
          method: "POST",
          headers: visitorHeaders(visitor, "10.0.0.1", { "content-type": "application/json", "x-forwarded-for": xff }),
          body: JSON.stringify(fast()),
        }),
        app,
      );
    expect((await post("alice", "10.0.0.1")).status).toBe(200);
    // Spoofed entries, a fresh cookie: still the same socket address, so still limited.
    expect((await post("alice", "1.2.3.4")).status).toBe(429);
    expect((await post("bob", "1.2.3.4, 10.0.0.2")).status).toBe(429);
    // Spoofing someone else's address (10.0.0.2) did not use up that address's tokens.
    const carol = (await callerFor(app, "10.0.0.2", "carol").images.upload(uploadForm(await pngBytes(), "content"))).id;
    const res = await handleTrpc(
      new Request("http://localhost/api/trpc/jobs.create", {
        method: "POST",
        headers: visitorHeaders("carol", "10.0.0.2", { "content-type": "application/json" }),
        body: JSON.stringify({ ...fast(), contentId: carol, styleIds: [carol] }),
      }),
      app,
    );
    expect(res.status).toBe(200);
  });
});

describe("jobs.onProgress", () => {
  it("yields the job on every change and ends when it is terminal", async () => {
    const caller = callerFor(app);
    const blocker = (await caller.jobs.create(quality())).id;
    const { id } = await caller.jobs.create(quality());
    const seen: JobView[] = [];
    const stream = await caller.jobs.onProgress({ id });
    const consumed = (async () => {
      for await (const event of stream) seen.push(event.job);
    })();
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ status: "queued", queuePosition: 0 });
    runners.quality.runs[0]!.finish({ status: "succeeded" });
    expect(blocker).toBeDefined();
    await waitFor(() => runners.quality.runs.length === 2);
    await waitFor(() => seen.some((j) => j.status === "running"));
    const run = runners.quality.runs[1]!;
    run.progress({ iteration: 1, iterations: 5 });
    await waitFor(() => seen.some((j) => j.progress?.iteration === 1));
    run.progress({ iteration: 2, iterations: 5, losses: { total: 3, content: 1, style: 1, tv: 1 } });
    await waitFor(() => seen.some((j) => j.progress?.iteration === 2));
    run.finish({ status: "succeeded" });
    await consumed;
    expect(seen[seen.length - 1]).toMatchObject({ status: "succeeded" });
    expect(seen.at(-1)?.resultUrl).toBe(`/api/jobs/${id}/result`);
  });

  it("ends at once for a finished job and refuses unknown ids", async () => {
    const caller = callerFor(app);
    const { id } = await caller.jobs.create(fast());
    await caller.jobs.cancel({ id });
    const events: string[] = [];
    for await (const event of await caller.jobs.onProgress({ id })) events.push(event.job.status);
    expect(events).toEqual(["cancelled"]);
    expect(
      (
        await rejected(
          (async () => {
            for await (const _ of await caller.jobs.onProgress({ id: "z".repeat(22) })) break;
          })(),
        )
      ).code,
    ).toBe("NOT_FOUND");
  });
});
