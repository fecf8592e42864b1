/**
 * Cluster mode with the database gone for 10 s (the throwaway PostgreSQL stopped like a crashed
 * machine, then started again): every request answers one clear sentence with 503 / tRPC
 * SERVICE_UNAVAILABLE and no stack trace; an open progress stream waits instead of failing; once the
 * database is back, the server and its worker carry on by themselves and nothing is lost.
 */
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { JobProgressEvent } from "../../src/shared/jobSchemas.js";
import type { PasticheApp } from "../../src/server/app.js";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../../src/server/db/unavailable.js";
import { handleApi } from "../../src/server/http/apiRequest.js";
import { serveImage, serveResult } from "../../src/server/http/handlers.js";
import { handleTrpc } from "../../src/server/http/trpcHandler.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/postgres.js";
import {
  callerFor,
  fakeRunners,
  openAppIn,
  ownerOf,
  pngBytes,
  rejected,
  tempDir,
  testConfig,
  until,
  uploadForm,
  visitorHeaders,
  waitFor,
  writeTinyPng,
} from "./helpers.js";

const OUTAGE_MS = 10_000;

describeNeeding([needs.postgres()], "cluster mode while the database is away", () => {
  let cluster: ThrowawayPostgres;
  let app: PasticheApp;
  const fakes = fakeRunners();
  const data = tempDir();

  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    app = await openAppIn("cluster", testConfig(data.dir), fakes.factory, await cluster.database("away"));
  }, 120_000);

  afterAll(async () => {
    await app.close();
    cluster.remove();
    data.remove();
  });

  it("answers 'temporarily unavailable' without a stack trace, keeps streams open, and loses nothing", async () => {
    const alice = callerFor(app);
    const content = (await alice.images.upload(uploadForm(await pngBytes(), "content"))).id;
    const { id } = await alice.jobs.create({ mode: "quality", contentId: content, styleIds: [content], options: { size: 64, iterations: 5 } });
    await waitFor(() => fakes.runners.quality.runs.length === 1, 10_000, "the job to start");
    const run = fakes.runners.quality.runs[0]!;
    // A browser following the job, subscribed before the outage.
    const seen: JobProgressEvent[] = [];
    const following = (async () => {
      for await (const event of await alice.jobs.onProgress({ id })) seen.push(event);
    })();
    await waitFor(() => seen.length > 0, 5000, "the first event");

    cluster.stop();
    const down = Date.now();
    try {
      const e = await rejected(alice.jobs.list({}));
      expect([e.code, e.message]).toEqual(["SERVICE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE]);
      const upload = await rejected(alice.images.upload(uploadForm(await pngBytes(), "content")));
      expect([upload.code, upload.message]).toEqual(["SERVICE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE]);
      // Over HTTP: the status and the sentence, no stack.
      const res = await handleTrpc(
        new Request(`http://localhost/api/trpc/jobs.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, { headers: visitorHeaders() }),
        app,
      );
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(body).toContain(DATABASE_UNAVAILABLE_MESSAGE);
      expect(body).not.toMatch(/stack|at .*\.ts:\d+/);
      const image = await handleApi(new Request(`http://localhost/api/images/${content}`), app, (api) =>
        serveImage(app, api.owner, content, new URL("http://x/")),
      );
      expect([image.status, await image.text()]).toEqual([503, `${DATABASE_UNAVAILABLE_MESSAGE}\n`]);
      // The worker's run goes on meanwhile (its progress is not saved while the database is away).
      run.progress({ iteration: 3, iterations: 5 });
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    } finally {
      cluster.start();
    }

    // Back: the same server answers again by itself (the pool reconnects).
    await until("the server to answer again", async () => (await alice.jobs.list({}).catch(() => undefined))?.items.length === 1, 30_000);
    await writeTinyPng(run.task.resultPath);
    run.finish({ status: "succeeded" });
    await until("the job to succeed", async () => (await alice.jobs.get({ id })).status === "succeeded", 30_000);
    await following;
    expect(seen.at(-1)?.job.status).toBe("succeeded");
    const result = await serveResult(app, ownerOf("alice"), id, new URL("http://x/"));
    expect([result.status, result.headers.get("content-type")]).toEqual([200, "image/png"]);
    expect(await app.blobs.get("result", id)).toBeDefined();
    // The queue reconnected too: a new job runs.
    const second = await alice.jobs.create({ mode: "fast", contentId: content, styleIds: [content], options: { size: 64 } });
    await waitFor(() => fakes.runners.fast.runs.length === 1, 30_000, "the new job to reach the worker");
    await writeTinyPng(fakes.runners.fast.runs[0]!.task.resultPath);
    fakes.runners.fast.runs[0]!.finish({ status: "succeeded" });
    await until("the new job to succeed", async () => (await alice.jobs.get({ id: second.id })).status === "succeeded", 30_000);
    expect((await alice.jobs.list({})).items.map((j) => j.status)).toEqual(["succeeded", "succeeded"]);
  }, 180_000);

  it("knows node-postgres's connection failures from other errors", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("Something else"))).toBe(false);
  });
});
