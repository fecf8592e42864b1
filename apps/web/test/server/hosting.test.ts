/**
 * Safe to host (issue #10), rule by rule, through the router and the route handlers: visitors own
 * their work, storage is bounded, abusive requests are refused at the edge. One suite, run in both
 * modes: embedded (SQLite, data directory) and cluster (a throwaway PostgreSQL, pg-boss, blobs in
 * the database, the job run by a ClusterWorker in this process).
 */
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JobCreateInput } from "../../src/shared/jobSchemas.js";
import type { EmbeddedApp, PasticheApp } from "../../src/server/app.js";
import { handleApi } from "../../src/server/http/apiRequest.js";
import { servePreview, serveImage, serveResult, serveShared } from "../../src/server/http/handlers.js";
import { peerHeaderValue, PEER_HEADER, wellFormedPath } from "../../src/server/http/peer.js";
import { handleTrpc } from "../../src/server/http/trpcHandler.js";
import { isDiskFull } from "../../src/server/limits/storage.js";
import { writeFileAtomic } from "../../src/server/storage/atomicWrite.js";
import { Sweeper } from "../../src/server/storage/sweeper.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/postgres.js";
import {
  blobList,
  callerFor,
  countRows,
  fakeRunners,
  hasBlob,
  hasGps,
  jpegBytes,
  jpegWithExif,
  openAppIn,
  ownerOf,
  pngBytes,
  tempDir,
  testConfig,
  uploadForm,
  visitorHeaders,
  waitFor,
  writeTinyPng,
  type FakeRunner,
  rejected,
  sqlOf,
  until,
  type AppMode,
} from "./helpers.js";

function hostingSuite(mode: AppMode): void {
  let app: PasticheApp;
  let runners: { fast: FakeRunner; quality: FakeRunner };
  let dataDir: string;
  let cleanup: () => void;
  let cluster: ThrowawayPostgres | undefined;
  let databaseUrl: string | undefined;
  let databases = 0;

  async function open(overrides: Parameters<typeof testConfig>[1] = {}): Promise<void> {
    const fakes = fakeRunners();
    runners = fakes.runners;
    app = await openAppIn(mode, testConfig(dataDir, overrides), fakes.factory, databaseUrl);
  }

  beforeAll(async () => {
    if (mode === "cluster") cluster = await startThrowawayPostgres();
  }, 120_000);

  afterAll(() => {
    cluster?.remove();
  });

  beforeEach(async () => {
    const tmp = tempDir();
    dataDir = tmp.dir;
    cleanup = tmp.remove;
    // Cluster mode: a database of its own per test (a reopen keeps it, like a restart).
    databaseUrl = cluster ? await cluster.database(`hosting_${++databases}`) : undefined;
    await open();
  }, 60_000);

  afterEach(async () => {
    await app.close();
    cleanup();
  });

  async function reopen(overrides: Parameters<typeof testConfig>[1] = {}): Promise<void> {
    await app.close();
    await open(overrides);
  }

  /** Every stored blob ("kind/id"); embedded mode also lists anything else in the data directory. */
  async function files(): Promise<string[]> {
    if (mode === "cluster") return blobList(app);
    return ["uploads", "thumbnails", "results", "previews"].flatMap((d) => readdirSync(path.join(dataDir, d)).map((f) => `${d}/${f}`)).sort();
  }

  /** The names `await files()` gives an upload's two blobs. */
  function uploadFiles(id: string): string[] {
    return mode === "cluster" ? [`thumbnail/${id}`, `upload/${id}`] : [`thumbnails/${id}.jpg`, `uploads/${id}`];
  }

  const count = (table: "jobs" | "uploads"): Promise<number> => countRows(app, table);

  /** Waits for the row to offer the preview (cluster mode: the worker stores it, then updates the row). */
  async function previewShown(id: string): Promise<void> {
    await until("the preview", async () => (await callerFor(app).jobs.get({ id })).previewUrl ?? undefined, 10_000);
  }

  /** Alice's content and style uploads, and a Fast job input using them. */
  async function alicesImages(): Promise<{ content: string; style: string; job: JobCreateInput }> {
    const alice = callerFor(app);
    const content = (await alice.images.upload(uploadForm(await pngBytes(), "content"))).id;
    const style = (await alice.images.upload(uploadForm(await jpegBytes(), "style"))).id;
    return { content, style, job: { mode: "fast", contentId: content, styleIds: [style], options: { size: 64 } } };
  }

  /** Runs the visitor's next Fast job to success with a real result file. */
  async function succeed(run: number): Promise<void> {
    await waitFor(() => runners.fast.runs.length > run, 2000, "the job to start");
    const r = runners.fast.runs[run]!;
    await writeTinyPng(r.task.resultPath);
    r.finish({ status: "succeeded" });
    await app.queue.settled();
  }

  const url = (p: string): URL => new URL(`http://localhost${p}`);

  describe("visitors own their work", () => {
    it("another visitor's jobs, images, results, previews and thumbnails answer like ids that do not exist", async () => {
      const { content, job } = await alicesImages();
      const alice = callerFor(app);
      const { id } = await alice.jobs.create({ ...job, mode: "quality", options: { size: 64, iterations: 5 } });
      await waitFor(() => runners.quality.runs.length === 1);
      const run = runners.quality.runs[0]!;
      await writeFileAtomic(run.task.previewPath, await jpegBytes(16, 16));
      run.progress({ previewWritten: true });
      await previewShown(id);
      const bob = callerFor(app, "198.51.100.9", "bob");
      const nowhere = "N".repeat(22);

      // Alice sees everything of hers.
      expect((await alice.jobs.list({})).items.map((j) => j.id)).toEqual([id]);
      expect((await servePreview(app, ownerOf("alice"), id)).status).toBe(200);
      expect((await serveImage(app, ownerOf("alice"), content, url("/?thumb=1"))).status).toBe(200);

      // Bob: the same answers as for an id that was never issued.
      expect((await bob.jobs.list({})).items).toEqual([]);
      for (const target of [id, nowhere]) {
        for (const call of [
          () => bob.jobs.get({ id: target }),
          () => bob.jobs.cancel({ id: target }),
          () => bob.jobs.delete({ id: target }),
          () => bob.jobs.publish({ id: target }),
          () => bob.jobs.unpublish({ id: target }),
        ]) {
          const e = await rejected(call());
          expect([e.code, e.message]).toEqual(["NOT_FOUND", "There is no job with that id."]);
        }
        const e = await rejected(
          (async () => {
            for await (const _ of await bob.jobs.onProgress({ id: target })) break;
          })(),
        );
        expect([e.code, e.message]).toEqual(["NOT_FOUND", "There is no job with that id."]);
        for (const res of [await servePreview(app, ownerOf("bob"), target), await serveResult(app, ownerOf("bob"), target, url("/?download=1"))]) {
          expect(res.status).toBe(404);
          expect(await res.text()).toMatch(/^(Preview|Result) not found\n$/);
        }
      }
      for (const target of [content, nowhere]) {
        for (const q of ["/", "/?thumb=1"]) {
          const res = await serveImage(app, ownerOf("bob"), target, url(q));
          expect([res.status, await res.text()]).toEqual([404, "Image not found\n"]);
        }
        const e = await rejected(bob.images.delete({ id: target }));
        expect([e.code, e.message]).toEqual(["NOT_FOUND", "There is no image with that id."]);
        // Using someone else's upload in a job: as if it did not exist.
        const c = await rejected(bob.jobs.create({ ...job, contentId: target }));
        expect([c.code, c.message]).toEqual(["NOT_FOUND", "The content image is not on the server any more; please upload it again."]);
      }
      // Bob's cancel did nothing.
      expect((await alice.jobs.get({ id })).status).toBe("running");
      await writeTinyPng(run.task.resultPath);
      run.finish({ status: "succeeded" });
      await app.queue.settled();
      expect((await serveResult(app, ownerOf("bob"), id, url("/"))).status).toBe(404);
    });

    it("shares the example styles with everyone", async () => {
      const examples = tempDir("pastiche-examples-");
      try {
        writeFileSync(path.join(examples.dir, "the_wave.png"), await pngBytes(40, 40));
        await reopen({ exampleStylesDir: examples.dir });
        await app.examplesReady;
        const bob = callerFor(app, "198.51.100.9", "bob");
        const [wave] = (await bob.system.info()).examples;
        expect(wave?.name).toBe("The wave");
        expect((await serveImage(app, ownerOf("bob"), wave!.id, url("/?thumb=1"))).status).toBe(200);
        expect((await serveImage(app, ownerOf("carol"), wave!.id, url("/"))).headers.get("cache-control")).toMatch(/^public/);
        const content = (await bob.images.upload(uploadForm(await pngBytes(), "content"))).id;
        await bob.jobs.create({ mode: "fast", contentId: content, styleIds: [wave!.id], options: { size: 64 } });
        // Nobody can delete an example.
        expect((await rejected(bob.images.delete({ id: wave!.id }))).code).toBe("NOT_FOUND");
      } finally {
        examples.remove();
      }
    });

    it("sets an HttpOnly, SameSite=Lax visitor cookie on the first API response, Secure over HTTPS", async () => {
      const info = await handleTrpc(new Request("http://localhost/api/trpc/system.info"), app);
      expect(info.status).toBe(200);
      const cookie = info.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^pastiche_visitor=[A-Za-z0-9_-]{22}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
      // The next request with it is the same visitor and gets no new cookie.
      const again = await handleTrpc(new Request("http://localhost/api/trpc/jobs.list?input=%7B%7D", { headers: { cookie: cookie.split(";")[0]! } }), app);
      expect(again.status).toBe(200);
      expect(again.headers.get("set-cookie")).toBeNull();
      // Binary routes set it too; over HTTPS (the socket's, as the gate records it) it is Secure.
      const image = await handleApi(new Request("http://localhost/api/images/x", { headers: { [PEER_HEADER]: peerHeaderValue("1.2.3.4", true) } }), app, () =>
        Promise.resolve(new Response("x")),
      );
      expect(image.headers.get("set-cookie")).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
      // A client's own X-Forwarded-Proto does not make it Secure without a trusted proxy.
      const spoofed = await handleTrpc(new Request("http://localhost/api/trpc/system.info", { headers: { "x-forwarded-proto": "https" } }), app);
      expect(spoofed.headers.get("set-cookie")).not.toMatch(/Secure/);
    });

    it("publishes one result under its own read-only link, and withdraws it", async () => {
      const { content, job } = await alicesImages();
      const alice = callerFor(app);
      const { id } = await alice.jobs.create(job);
      expect((await rejected(alice.jobs.publish({ id }))).code).toBe("PRECONDITION_FAILED");
      await succeed(0);
      const other = (await alice.jobs.create(job)).id;
      await succeed(1);
      const published = await alice.jobs.publish({ id });
      expect(published.sharedUrl).toMatch(/^\/api\/shared\/[A-Za-z0-9_-]{22}$/);
      const token = published.sharedUrl!.split("/").pop()!;
      // The token is not the job id, and publishing again keeps the link.
      expect(token).not.toBe(id);
      expect((await alice.jobs.publish({ id })).sharedUrl).toBe(published.sharedUrl);
      const shared = await serveShared(app, token);
      expect(shared.status).toBe(200);
      expect(shared.headers.get("content-type")).toBe("image/png");
      // Nothing else became visible: not the job, its inputs, or the other result.
      const bob = callerFor(app, "198.51.100.9", "bob");
      expect((await rejected(bob.jobs.get({ id }))).code).toBe("NOT_FOUND");
      expect((await serveImage(app, ownerOf("bob"), content, url("/"))).status).toBe(404);
      expect((await serveResult(app, ownerOf("bob"), id, url("/"))).status).toBe(404);
      expect((await alice.jobs.get({ id: other })).sharedUrl).toBeNull();
      expect((await serveShared(app, id)).status).toBe(404);
      expect((await alice.jobs.unpublish({ id })).sharedUrl).toBeNull();
      expect((await serveShared(app, token)).status).toBe(404);
    });
  });

  describe("bounded storage", () => {
    it("refuses uploads and jobs over the visitor's quota, and stores nothing for them", async () => {
      const noise = await sharp(randomBytes(200 * 200 * 3), { raw: { width: 200, height: 200, channels: 3 } })
        .png()
        .toBuffer();
      await reopen({ visitorQuotaBytes: 150_000 });
      const alice = callerFor(app);
      const first = await alice.images.upload(uploadForm(noise, "content"));
      expect(first.bytes).toBeGreaterThan(60_000);
      const before = await files();
      const e = await rejected(alice.images.upload(uploadForm(noise, "style")));
      expect(e.code).toBe("FORBIDDEN");
      expect(e.message).toMatch(/^Your storage on this server is full \(\d+ KB of 146 KB\); delete some jobs or uploads first\.$/);
      expect(await files()).toEqual(before);
      expect(await count("uploads")).toBe(1);
      // Another visitor has their own quota.
      await callerFor(app, "198.51.100.9", "bob").images.upload(uploadForm(noise, "content"));
      // At the quota, no new job either; deleting frees the space.
      await reopen({ visitorQuotaBytes: first.bytes });
      const j = await rejected(callerFor(app).jobs.create({ mode: "fast", contentId: first.id, styleIds: [first.id], options: { size: 64 } }));
      expect(j.code).toBe("FORBIDDEN");
      await callerFor(app).images.delete({ id: first.id });
      expect((await callerFor(app).system.info()).storage).toMatchObject({ usedBytes: 0, quotaBytes: first.bytes });
    });

    it("deletes expired jobs and uploads with all their files; an upload lives as long as its jobs", async () => {
      let now = Date.now();
      await reopen({ retentionMs: 3600_000 });
      const { content, style, job } = await alicesImages();
      const alice = callerFor(app);
      const { id } = await alice.jobs.create(job);
      await waitFor(() => runners.fast.runs.length === 1);
      await writeFileAtomic(runners.fast.runs[0]!.task.previewPath, await jpegBytes(16, 16));
      runners.fast.runs[0]!.progress({ previewWritten: true });
      await writeTinyPng(runners.fast.runs[0]!.task.resultPath);
      runners.fast.runs[0]!.finish({ status: "succeeded" });
      await app.queue.settled();
      expect(await files()).toHaveLength(6);
      // Rows were made "now"; the sweeper's clock is moved instead of waiting an hour.
      const sweeper = new Sweeper({
        repo: app.repo,
        blobs: app.blobs,
        retentionMs: 3600_000,
        isActive: (jid) => app.queue.isActive(jid),
        uploadOrphans: mode === "embedded",
        now: () => now,
      });
      now = Date.now() + 30 * 60_000;
      expect(await sweeper.sweep()).toEqual({ jobs: 0, uploads: 0 });
      // A later upload is younger than the job: still kept after the job expires.
      const young = (await alice.images.upload(uploadForm(await pngBytes(), "style"))).id;
      now = Date.now() + 3600_000 + 1000;
      await sqlOf(app)
        .updateTable("uploads")
        .set({ created_at: new Date(now).toISOString() })
        .where("id", "=", young)
        .execute();
      expect(await sweeper.sweep()).toEqual({ jobs: 1, uploads: 2 });
      expect(await app.repo.jobs.get(id)).toBeUndefined();
      expect([await app.repo.uploads.get(content), await app.repo.uploads.get(style)]).toEqual([undefined, undefined]);
      expect(await files()).toEqual(uploadFiles(young));
    });

    // The data directory's own debris (temp files of interrupted writes); cluster mode writes blobs in transactions.
    it.skipIf(mode === "cluster")("finishes a sweep interrupted by a crash, and removes files without rows at start-up", async () => {
      const { content, job } = await alicesImages();
      const alice = callerFor(app);
      const { id } = await alice.jobs.create(job);
      await succeed(0);
      // A crash after step 1 (marked) and part of step 2 (some files gone).
      await app.repo.jobs.markDeleting(id);
      await app.repo.uploads.markDeleting(content);
      await app.close();
      rmSync((app as EmbeddedApp).paths.result(id));
      // And debris: a file whose row was never written, a temp file of an interrupted write.
      writeFileSync(path.join(dataDir, "uploads", "Z".repeat(22)), "orphan");
      writeFileSync(path.join(dataDir, "results", `${"Y".repeat(22)}.png.tmp-0a1b2c`), "half");
      await open();
      expect(await app.repo.jobs.get(id)).toBeUndefined();
      expect(await app.repo.uploads.get(content)).toBeUndefined();
      const rows = await sqlOf(app).selectFrom("uploads").select("id").execute();
      // Every remaining file has its row and every row its files.
      expect(await files()).toEqual(rows.flatMap((r) => uploadFiles(r.id)).sort());
    });

    it("deletes the preview of a job that ends without a result", async () => {
      const { job } = await alicesImages();
      const alice = callerFor(app);
      const q = { ...job, mode: "quality", options: { size: 64, iterations: 5 } } as const;
      const cancelled = (await alice.jobs.create(q)).id;
      await waitFor(() => runners.quality.runs.length === 1);
      await writeFileAtomic(runners.quality.runs[0]!.task.previewPath, await jpegBytes(16, 16));
      runners.quality.runs[0]!.progress({ previewWritten: true });
      await previewShown(cancelled);
      await alice.jobs.cancel({ id: cancelled });
      await waitFor(() => runners.quality.runs.length === 0 || !app.queue.isActive(cancelled));
      await app.queue.settled();
      expect(await hasBlob(app, "preview", cancelled)).toBe(false);
      expect((await alice.jobs.get({ id: cancelled })).previewUrl).toBeNull();
      expect((await servePreview(app, ownerOf("alice"), cancelled)).status).toBe(404);

      const failed = (await alice.jobs.create(q)).id;
      await waitFor(() => runners.quality.runs.length === 2);
      await writeFileAtomic(runners.quality.runs[1]!.task.previewPath, await jpegBytes(16, 16));
      runners.quality.runs[1]!.progress({ previewWritten: true });
      await previewShown(failed);
      runners.quality.runs[1]!.finish({ status: "failed", error: "Broken." });
      await app.queue.settled();
      expect(await hasBlob(app, "preview", failed)).toBe(false);
      expect((await alice.jobs.get({ id: failed })).previewUrl).toBeNull();
    });

    it("lets visitors delete their jobs (running ones too) and uploads no job uses", async () => {
      const { content, style, job } = await alicesImages();
      const alice = callerFor(app);
      const done = (await alice.jobs.create(job)).id;
      await succeed(0);
      const inUse = await rejected(alice.images.delete({ id: content }));
      expect([inUse.code, inUse.message]).toEqual(["CONFLICT", "This image is used by one of your jobs; delete it first."]);
      expect(await alice.jobs.delete({ id: done })).toEqual({ deleted: true });
      expect(await hasBlob(app, "result", done)).toBe(false);
      expect((await rejected(alice.jobs.get({ id: done }))).code).toBe("NOT_FOUND");

      const running = (await alice.jobs.create({ ...job, mode: "quality", options: { size: 64, iterations: 5 } })).id;
      await waitFor(() => runners.quality.runs.length === 1);
      const run = runners.quality.runs[0]!;
      await writeFileAtomic(run.task.previewPath, await jpegBytes(16, 16));
      run.progress({ previewWritten: true });
      await previewShown(running);
      await alice.jobs.delete({ id: running });
      // Embedded: at once; cluster: the cancel reaches the worker by NOTIFY.
      await waitFor(() => run.signal.aborted, 5000, "the run to be stopped");
      expect((await alice.jobs.list({})).items).toEqual([]);
      await app.queue.settled();
      await until("the deleted job's row to go", async () => (await app.repo.jobs.get(running)) === undefined, 10_000);
      expect(await hasBlob(app, "preview", running)).toBe(false);

      await alice.images.delete({ id: content });
      await alice.images.delete({ id: style });
      expect(await files()).toEqual([]);
      expect([await count("jobs"), await count("uploads")]).toEqual([0, 0]);
    });

    it("limits uploads per minute, per visitor and per address", async () => {
      await reopen({ uploadRateLimitPerMinute: 2 });
      const png = await pngBytes();
      const alice = callerFor(app, "198.51.100.1");
      await alice.images.upload(uploadForm(png, "content"));
      await alice.images.upload(uploadForm(png, "content"));
      const e = await rejected(alice.images.upload(uploadForm(png, "content")));
      expect(e.code).toBe("TOO_MANY_REQUESTS");
      expect(e.message).toMatch(/^Too many uploads; try again in \d+ seconds\.$/);
      expect((await rejected(callerFor(app, "198.51.100.1", "bob").images.upload(uploadForm(png, "content")))).code).toBe("TOO_MANY_REQUESTS");
      await callerFor(app, "198.51.100.2", "bob").images.upload(uploadForm(png, "content"));
    });

    it("limits the upload volume per minute too (ten large files in a row do not all get in)", async () => {
      const png = await pngBytes();
      await reopen({ uploadBytesPerMinute: png.length * 3, uploadRateLimitPerMinute: 1000 });
      const alice = callerFor(app, "198.51.100.1");
      for (let i = 0; i < 3; i++) await alice.images.upload(uploadForm(png, "content"));
      const countBucket = () => sqlOf(app).selectFrom("rate_buckets").select(["tokens", "updated_ms"]).where("key", "like", "upload:v:%").executeTakeFirst();
      const before = await countBucket();
      const e = await rejected(alice.images.upload(uploadForm(png, "content")));
      expect([e.code, e.message]).toEqual(["TOO_MANY_REQUESTS", expect.stringMatching(/^Too much uploaded in the last minute; try again in \d+ seconds?\.$/)]);
      // The refused upload did not spend one of the (many) uploads per minute either: its bucket was not written.
      expect(await countBucket()).toEqual(before);
    });

    // The data directory's disk; in cluster mode PostgreSQL's disk_full (53100) is mapped instead (isDiskFull).
    it.skipIf(mode === "cluster")("refuses uploads and jobs with a clear message when the disk is (nearly) full", async () => {
      const { job } = await alicesImages();
      await reopen({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER });
      const before = await files();
      const alice = callerFor(app);
      for (const call of [async () => alice.images.upload(uploadForm(await pngBytes(), "content")), () => alice.jobs.create(job)]) {
        const e = await rejected(call());
        expect([e.code, e.message]).toEqual(["SERVICE_UNAVAILABLE", "The server's disk is full, so nothing was stored; please try again later."]);
      }
      expect(await files()).toEqual(before);
      expect(await count("jobs")).toBe(0);
      expect([isDiskFull({ code: "ENOSPC" }), isDiskFull({ code: "SQLITE_FULL" }), isDiskFull(new Error("x"))]).toEqual([true, true, false]);
    });
  });

  describe("uploads are re-encoded", () => {
    it("stores and serves the image upright, without EXIF (GPS, camera, copyright)", async () => {
      const original = await jpegWithExif(64, 32);
      expect(await hasGps(original)).toBe(true);
      const uploaded = await callerFor(app).images.upload(uploadForm(original, "content", "holiday.jpg"));
      // Orientation 6: a quarter turn, applied.
      expect(uploaded).toMatchObject({ width: 32, height: 64, format: "jpeg" });
      const served = Buffer.from(await (await serveImage(app, ownerOf("alice"), uploaded.id, url("/"))).arrayBuffer());
      const meta = await sharp(served).metadata();
      expect([meta.width, meta.height, meta.orientation, meta.exif, meta.icc, meta.xmp]).toEqual([32, 64, undefined, undefined, undefined, undefined]);
      expect(await hasGps(served)).toBe(false);
      expect(served.includes(Buffer.from("Alice Example"))).toBe(false);
      expect(served.includes(Buffer.from("PhoneMaker"))).toBe(false);
      const thumb = Buffer.from(await (await serveImage(app, ownerOf("alice"), uploaded.id, url("/?thumb=1"))).arrayBuffer());
      expect((await sharp(thumb).metadata()).exif).toBeUndefined();
    });

    it("turns TIFF and WebP into PNG, which every browser shows", async () => {
      const tiff = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#123456" } })
        .tiff()
        .toBuffer();
      const webp = await sharp({ create: { width: 40, height: 30, channels: 4, background: "#12345680" } })
        .webp()
        .toBuffer();
      for (const bytes of [tiff, webp]) {
        const up = await callerFor(app).images.upload(uploadForm(bytes, "style"));
        expect(up.format).toBe("png");
        const res = await serveImage(app, ownerOf("alice"), up.id, url("/"));
        expect(res.headers.get("content-type")).toBe("image/png");
        expect((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).format).toBe("png");
      }
    });
  });

  describe("abuse refused at the edge", () => {
    const post = (proc: string, body: BodyInit, headers: Record<string, string> = {}, init: RequestInit = {}) =>
      handleTrpc(
        new Request(`http://localhost/api/trpc/${proc}`, { method: "POST", body, headers: visitorHeaders("alice", "203.0.113.7", headers), ...init }),
        app,
      );

    async function error(res: Response): Promise<{ message: string; data: { code: string } }> {
      const json = (await res.json()) as { error: { message: string; data: { code: string } } } | { error: { message: string; data: { code: string } } }[];
      return (Array.isArray(json) ? json[0]! : json).error;
    }

    function streamOf(total: number, onPull: (sent: number) => void): ReadableStream<Uint8Array> {
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) {
            controller.close();
            return;
          }
          sent += 64 * 1024;
          onPull(sent);
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        },
      });
    }

    it("limits every POST body: small for mutations, by declared length and by bytes read, on the decoded name", async () => {
      const { job } = await alicesImages();
      // A JSON body over 64 KB (a long padding of spaces is still valid JSON).
      const big = JSON.stringify(job) + " ".repeat(70 * 1024);
      for (const proc of ["jobs.create", "jobs%2Ecreate", "jobs%2ecreate"]) {
        const res = await post(proc, big, { "content-type": "application/json" });
        expect(res.status).toBe(413);
        expect((await error(res)).message).toBe("The request body is larger than the limit of 64 KB.");
      }
      // Streamed without a length, or lying about it: counted, and dropped past the limit.
      for (const headers of [{}, { "content-length": "100" }] as Record<string, string>[]) {
        let pulled = 0;
        const res = await post(
          "jobs%2Ecreate",
          streamOf(60 * 1024 * 1024, (n) => (pulled = n)),
          { "content-type": "application/json", ...headers },
          { duplex: "half" } as RequestInit,
        );
        expect(res.status).toBe(413);
        expect(pulled).toBeLessThan(1024 * 1024);
      }
      // The upload limit applies to the upload only, whatever its spelling.
      const declared = await post(
        "images%2Eupload",
        streamOf(60 * 1024 * 1024, () => undefined),
        { "content-type": "multipart/form-data; boundary=x", "content-length": String(60 * 1024 * 1024) },
        { duplex: "half" } as RequestInit,
      );
      expect(declared.status).toBe(413);
      expect((await error(declared)).message).toBe("The file is 60 MB, over the upload limit of 25 MB.");
      let pulled = 0;
      const streamed = await post(
        "images%2Eupload",
        streamOf(60 * 1024 * 1024, (n) => (pulled = n)),
        { "content-type": "multipart/form-data; boundary=x" },
        { duplex: "half" } as RequestInit,
      );
      expect(streamed.status).toBe(413);
      expect(pulled).toBeLessThan(26 * 1024 * 1024);
      expect(await count("jobs")).toBe(0);
      // A normal job still goes through.
      expect((await post("jobs.create", JSON.stringify(job), { "content-type": "application/json" })).status).toBe(200);
    });

    it("limits batches and answers malformed URLs with 400", async () => {
      const eleven = Array.from({ length: 11 }, () => "jobs.list").join(",");
      const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i, {}]))));
      const res = await handleTrpc(new Request(`http://localhost/api/trpc/${eleven}?batch=1&input=${input}`, { headers: visitorHeaders() }), app);
      expect(res.status).toBe(400);
      const ten = Array.from({ length: 10 }, () => "jobs.list").join(",");
      const input10 = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i, {}]))));
      expect((await handleTrpc(new Request(`http://localhost/api/trpc/${ten}?batch=1&input=${input10}`, { headers: visitorHeaders() }), app)).status).toBe(200);
      for (const path of ["jobs.get%ZZ", "%E0%A4%A"]) {
        const bad = await handleTrpc(new Request(`http://localhost/api/trpc/${path}`), app);
        expect(bad.status).toBe(400);
        expect((await error(bad)).data.code).toBe("BAD_REQUEST");
      }
      expect([
        wellFormedPath("/api/images/%ZZ"),
        wellFormedPath("/api/jobs/%E0%A4%A/result"),
        wellFormedPath("/api/images/abc?x=%ZZ"),
        wellFormedPath("/a%20b"),
      ]).toEqual([false, false, true, true]);
    });

    it("refuses mutations from other sites, multipart uploads included", async () => {
      const { job } = await alicesImages();
      const before = await files();
      const cases: Record<string, string>[] = [
        { "sec-fetch-site": "cross-site" },
        { "sec-fetch-site": "same-site" },
        { origin: "https://evil.example", host: "localhost" },
      ];
      for (const headers of cases) {
        const upload = await post("images.upload", uploadForm(await pngBytes(), "content"), headers);
        expect(upload.status).toBe(403);
        expect((await error(upload)).message).toBe("This request comes from another site; Pastiche accepts changes only from its own pages.");
        expect((await post("jobs.create", JSON.stringify(job), { "content-type": "application/json", ...headers })).status).toBe(403);
      }
      expect(await files()).toEqual(before);
      expect(await count("jobs")).toBe(0);
      expect(
        (
          await post("images.upload", uploadForm(await pngBytes(), "content"), {
            "sec-fetch-site": "same-origin",
            origin: "http://localhost",
            host: "localhost",
          })
        ).status,
      ).toBe(200);
    });

    it("puts nosniff and a restrictive CSP on every API response, JSON and errors included", async () => {
      const responses = [
        await handleTrpc(new Request("http://localhost/api/trpc/system.info"), app),
        await handleTrpc(new Request("http://localhost/api/trpc/jobs.get?input=%7B%22id%22%3A%22x%22%7D"), app),
        await handleTrpc(new Request("http://localhost/api/trpc/%ZZ"), app),
        await handleApi(new Request("http://localhost/api/images/x"), app, (api) => serveImage(app, api.owner, "x", url("/"))),
      ];
      for (const res of responses) {
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'; frame-ancestors 'none'; sandbox$/);
      }
    });
  });
}

describe("hosting, embedded mode", () => {
  hostingSuite("embedded");
});

describeNeeding([needs.postgres()], "hosting, cluster mode (PostgreSQL)", () => {
  hostingSuite("cluster");
});
