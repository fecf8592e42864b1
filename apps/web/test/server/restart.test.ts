import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { RESTART_FAILURE } from "../../src/server/db/repository/rows.js";
import { serveResult } from "../../src/server/http/handlers.js";
import { callerFor, fakeRunners, jpegBytes, openApp, pngBytes, tempDir, testConfig, uploadForm, until, waitFor, ownerOf } from "./helpers.js";

const dirs: (() => void)[] = [];
afterEach(() => {
  for (const remove of dirs.splice(0)) remove();
});

describe("restart recovery", () => {
  it("re-queues an interrupted job once, then fails it with a reason; queued jobs run; results stay downloadable", async () => {
    const { dir, remove } = tempDir();
    dirs.push(remove);
    const config = testConfig(dir);

    // First process: one finished Fast job, one Quality job running, one queued behind it.
    let fakes = fakeRunners();
    let app = await openApp(config, fakes.factory);
    let caller = callerFor(app);
    const contentId = (await caller.images.upload(uploadForm(await pngBytes(), "content"))).id;
    const styleId = (await caller.images.upload(uploadForm(await jpegBytes(), "style"))).id;
    const done = (await caller.jobs.create({ mode: "fast", contentId, styleIds: [styleId] })).id;
    const interrupted = (await caller.jobs.create({ mode: "quality", contentId, styleIds: [styleId], options: { size: 64, iterations: 5 } })).id;
    const waiting = (await caller.jobs.create({ mode: "quality", contentId, styleIds: [styleId], options: { size: 64, iterations: 5 } })).id;
    await waitFor(() => fakes.runners.fast.runs.length === 1 && fakes.runners.quality.runs.length === 1);
    const { writeTinyPng } = await import("./helpers.js");
    await writeTinyPng(fakes.runners.fast.runs[0]!.task.resultPath);
    fakes.runners.fast.runs[0]!.finish({ status: "succeeded" });
    await until("the job to succeed", async () => (await app.repo.jobs.get(done))?.status === "succeeded");
    // The process dies mid-job: the DB is left as it is (no clean shutdown of the job).
    app.db.close();

    // Second process on the same data dir.
    fakes = fakeRunners();
    app = await openApp(config, fakes.factory);
    caller = callerFor(app);
    expect(app.recovery).toEqual({ requeued: [interrupted], failed: [] });
    // The interrupted job keeps its place at the head of its lane and runs again.
    await waitFor(() => fakes.runners.quality.runs.length === 1);
    expect(fakes.runners.quality.runs[0]!.task.jobId).toBe(interrupted);
    expect((await caller.jobs.get({ id: waiting })).status).toBe("queued");
    const downloaded = await serveResult(app, ownerOf("alice"), done, new URL("http://x/?download=1"));
    expect(downloaded.status).toBe(200);
    expect((await caller.jobs.get({ id: done })).resultUrl).toBe(`/api/jobs/${done}/result`);
    app.db.close();

    // Third process: the same job was interrupted a second time, so it is failed with the reason
    // and the queued job runs.
    fakes = fakeRunners();
    app = await openApp(config, fakes.factory);
    caller = callerFor(app);
    expect(app.recovery).toEqual({ requeued: [], failed: [interrupted] });
    expect(await caller.jobs.get({ id: interrupted })).toMatchObject({ status: "failed", error: RESTART_FAILURE });
    await waitFor(() => fakes.runners.quality.runs.length === 1);
    expect(fakes.runners.quality.runs[0]!.task.jobId).toBe(waiting);
    const history = await caller.jobs.list({});
    expect(history.items.map((j) => [j.id, j.status])).toEqual([
      [waiting, "running"],
      [interrupted, "failed"],
      [done, "succeeded"],
    ]);
    await app.close();
  });

  it("a clean shutdown (close) also leaves running jobs to be re-queued, not failed", async () => {
    const { dir, remove } = tempDir();
    dirs.push(remove);
    const config = testConfig(dir);
    let fakes = fakeRunners();
    let app = await openApp(config, fakes.factory);
    const caller = callerFor(app);
    const contentId = (await caller.images.upload(uploadForm(await pngBytes(), "content"))).id;
    const { id } = await caller.jobs.create({ mode: "quality", contentId, styleIds: [contentId] });
    await waitFor(() => fakes.runners.quality.runs.length === 1);
    const closing = app.close();
    fakes.runners.quality.runs[0]!.finish({ status: "failed", error: "killed" });
    await closing;
    fakes = fakeRunners();
    app = await openApp(config, fakes.factory);
    expect(app.recovery.requeued).toEqual([id]);
    await app.close();
  });

  it("keeps the database in WAL mode at the current schema version", async () => {
    const { dir, remove } = tempDir();
    dirs.push(remove);
    const app = await openApp(testConfig(dir), fakeRunners().factory);
    await app.close();
    const db = new Database(app.paths.database, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    db.close();
  });
});
