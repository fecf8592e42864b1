/**
 * The cluster queue on a throwaway PostgreSQL: pg-boss hands jobs to workers, progress and cancel
 * travel by NOTIFY, a worker that stops answering has its job retried by another (bounded, then
 * failed with the reason), and only the latest run can end a job. Workers here run fake runners
 * in this process, each with its own pg-boss; the real processes are in the cluster test.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import type PgBoss from "pg-boss";
import type pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postgresPool, postgresRepository } from "../../src/server/db/repository/postgres.js";
import type { Repository } from "../../src/server/db/repository/repository.js";
import { QUEUE, startBoss, WORKER_LOST_FAILURE, type BossOptions } from "../../src/server/queue/cluster/boss.js";
import { ClusterQueue } from "../../src/server/queue/cluster/clusterQueue.js";
import { ClusterWorker } from "../../src/server/queue/cluster/clusterWorker.js";
import { JobListener, type JobMessage } from "../../src/server/queue/cluster/notifications.js";
import { PostgresBlobs } from "../../src/server/storage/blobs/postgresBlobs.js";
import { newId } from "../../src/server/storage/ids.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/postgres.js";
import { FakeRunner, until } from "./helpers.js";

const BOSS: BossOptions = { expireSeconds: { fast: 2, quality: 2 }, maintenanceSeconds: 1, retryLimit: 1 };

describeNeeding([needs.postgres()], "cluster queue on PostgreSQL (pg-boss, NOTIFY)", () => {
  let cluster: ThrowawayPostgres;
  let url: string;
  let repo: Repository;
  let pool: pg.Pool;
  let blobs: PostgresBlobs;
  let serverBoss: PgBoss;
  let queue: ClusterQueue;
  let listener: JobListener;
  const heard: JobMessage[] = [];
  const workDir = mkdtempSync(path.join(tmpdir(), "pastiche-cluster-work-"));
  const stops: (() => Promise<void>)[] = [];

  /**
   * `kill` stands for a machine gone silent: its lanes stop polling and its run never completes
   * the job, so pg-boss's expiry (2 s here) gives the job to another worker. (pg-boss's stop()
   * would fail its active jobs at once, which a kill -9 never does; clusterWorker.test.ts kills
   * real processes.)
   */
  async function startWorker(runner: FakeRunner): Promise<{ worker: ClusterWorker; kill: () => Promise<void> }> {
    const boss = await startBoss(url, BOSS, () => undefined);
    const worker = await ClusterWorker.start({
      url,
      boss,
      pool,
      repo,
      blobs,
      runnerFactory: () => runner,
      lanes: ["fast", "quality"],
      concurrency: 1,
      previewEvery: 1,
      maxInputPixels: 1e8,
      workDir,
      log: () => undefined,
      expireSeconds: BOSS.expireSeconds,
      pollSeconds: 0.5,
    });
    stops.push(async () => {
      await boss.stop({ graceful: false, close: true, wait: true });
      await worker.close();
    });
    const kill = async (): Promise<void> => {
      await boss.offWork(QUEUE.fast);
      await boss.offWork(QUEUE.quality);
    };
    return { worker, kill };
  }

  async function newJob(mode: "fast" | "quality" = "quality"): Promise<string> {
    const id = newId();
    await repo.jobs.insert({
      id,
      mode,
      options: {} as never,
      contentId,
      styleIds: [styleId],
      client: "ip",
      owner: "alice",
      createdAt: new Date().toISOString(),
    });
    await queue.enqueue(id, mode);
    return id;
  }
  const contentId = newId();
  const styleId = newId();

  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    url = await cluster.database("queue");
    repo = await postgresRepository(url, { migrationsDir: path.resolve(import.meta.dirname, "../../migrations/postgres") });
    pool = postgresPool(url);
    blobs = new PostgresBlobs(pool);
    for (const [id, role] of [
      [contentId, "content"],
      [styleId, "style"],
    ] as const) {
      await repo.uploads.insert({
        id,
        role,
        format: "png",
        width: 16,
        height: 16,
        bytes: 3,
        example_key: null,
        created_at: new Date().toISOString(),
        owner: "alice",
        disk_bytes: 3,
      });
      await blobs.put("upload", id, Buffer.from(role));
    }
    serverBoss = await startBoss(url, BOSS, () => undefined);
    queue = new ClusterQueue(serverBoss, repo, blobs, pool);
    listener = new JobListener(url, (m) => heard.push(m));
    await listener.start();
  }, 120_000);

  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    await listener?.close();
    await serverBoss?.stop({ graceful: false, close: true, wait: true });
    await pool?.end();
    await repo?.close();
    cluster?.remove();
    rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it("runs a job on a worker with the inputs from the blob store; progress, preview and result reach the database and the channel", async () => {
    const runner = new FakeRunner();
    await startWorker(runner);
    const id = await newJob();
    const run = await until("the run", () => Promise.resolve(runner.runs[0]));
    expect(run.task.jobId).toBe(id);
    expect((await repo.jobs.get(id))?.status).toBe("running");
    writeFileSync(run.task.previewPath, "preview-1");
    run.progress({ iteration: 3, iterations: 10, previewWritten: true });
    await until("the preview", async () => (await repo.jobs.get(id))?.preview_version === 1);
    expect((await blobs.get("preview", id))?.toString()).toBe("preview-1");
    expect(heard.some((m) => m.t === "job" && m.id === id)).toBe(true);
    writeFileSync(run.task.resultPath, "result-bytes");
    run.finish({ status: "succeeded" });
    const row = await until("success", async () => {
      const r = await repo.jobs.get(id);
      return r?.status === "succeeded" && r.disk_bytes > 0 ? r : undefined;
    });
    expect(row).toMatchObject({ has_result: 1, attempts: 1, preview_version: 1 });
    expect(row.disk_bytes).toBe("result-bytes".length + "preview-1".length);
    expect((await blobs.get("result", id))?.toString()).toBe("result-bytes");
    for (const s of stops.splice(0)) await s();
  }, 60_000);

  it("a cancel from a web server stops the worker's run and drops its preview", async () => {
    const runner = new FakeRunner();
    await startWorker(runner);
    const id = await newJob();
    const run = await until("the run", () => Promise.resolve(runner.runs[0]));
    writeFileSync(run.task.previewPath, "p");
    run.progress({ previewWritten: true });
    await until("the preview", async () => (await blobs.get("preview", id)) !== undefined);
    expect(await queue.cancel(id)).toBe(true);
    await until("the abort", () => Promise.resolve(run.signal.aborted));
    await until("the preview removed", async () => (await blobs.get("preview", id)) === undefined);
    expect(await repo.jobs.get(id)).toMatchObject({ status: "cancelled", has_result: 0, preview_version: 0 });
    expect(await queue.cancel(id)).toBe(false);
    for (const s of stops.splice(0)) await s();
  }, 60_000);

  it("a job whose worker stops answering is retried by another worker; the old run is stopped at its expiry and ends nothing; one result", async () => {
    const first = new FakeRunner();
    const a = await startWorker(first);
    const id = await newJob();
    const lost = await until("the first run", () => Promise.resolve(first.runs[0]));
    await a.kill();
    const second = new FakeRunner();
    await startWorker(second);
    const retry = await until("the retry", () => Promise.resolve(second.runs[0]), 40_000);
    expect(retry.task.jobId).toBe(id);
    expect((await repo.jobs.get(id))?.attempts).toBe(2);
    writeFileSync(retry.task.resultPath, "second");
    retry.finish({ status: "succeeded" });
    await until("success", async () => (await repo.jobs.get(id))?.status === "succeeded");
    // The first run was stopped at its expiry (the job had been handed on) and ended nothing.
    expect(lost.signal.aborted).toBe(true);
    expect(first.runs).toHaveLength(1);
    expect((await blobs.get("result", id))?.toString()).toBe("second");
    expect(await repo.jobs.get(id)).toMatchObject({ status: "succeeded", attempts: 2 });
    for (const s of stops.splice(0)) await s();
  }, 90_000);

  it("after the retries, a job whose workers keep dying fails with the reason", async () => {
    const id = await newJob("fast");
    const runners = [new FakeRunner(), new FakeRunner()];
    for (const [i, runner] of runners.entries()) {
      const w = await startWorker(runner);
      await until(`run ${i + 1}`, () => Promise.resolve(runner.runs[0]), 40_000);
      await w.kill();
    }
    const row = await until(
      "the failure",
      async () => {
        const r = await repo.jobs.get(id);
        return r?.status === "failed" ? r : undefined;
      },
      40_000,
    );
    expect(row.error).toBe(WORKER_LOST_FAILURE);
    expect(row.attempts).toBe(2);
    for (const s of stops.splice(0)) await s();
  }, 120_000);
});
