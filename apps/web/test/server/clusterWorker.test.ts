/**
 * `pnpm worker` as real processes on a throwaway PostgreSQL, with the real weights at 64 px: a
 * Fast job queued in the database is run by a worker process through the same pipeline as the
 * embedded server, its result lands in the blob store; a worker killed with SIGKILL mid-Quality
 * job has the job finished by another worker process from its checkpoint, with one result.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { describeNeeding, modelsDir, needs } from "@pastiche/vitest-config/needs";
import sharp from "sharp";
import type pg from "pg";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postgresPool, postgresRepository } from "../../src/server/db/repository/postgres.js";
import type { JobRow } from "../../src/server/db/repository/rows.js";
import type { Repository } from "../../src/server/db/repository/repository.js";
import { startBoss } from "../../src/server/queue/cluster/boss.js";
import { ClusterQueue } from "../../src/server/queue/cluster/clusterQueue.js";
import { PostgresBlobs } from "../../src/server/storage/blobs/postgresBlobs.js";
import { newId } from "../../src/server/storage/ids.js";
import { JobCreateInputSchema } from "../../src/shared/jobSchemas.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/postgres.js";
import { until } from "./helpers.js";

const APP = path.resolve(import.meta.dirname, "../..");
// pg-boss 10 has no heartbeat: the expiry must exceed a whole Quality run (weights loading included), and is how long a killed worker's job waits.
const EXPIRY = { fast: 60, quality: 45 };

describeNeeding([needs.postgres(), needs.models()], "pnpm worker processes on PostgreSQL (real weights, 64 px)", () => {
  let cluster: ThrowawayPostgres;
  let url: string;
  let repo: Repository;
  let pool: pg.Pool;
  let blobs: PostgresBlobs;
  let boss: PgBoss;
  let queue: ClusterQueue;
  const workers: ChildProcess[] = [];
  const output: string[] = [];
  const contentId = newId();
  const styleId = newId();

  function startWorker(lanes: string): ChildProcess {
    const child = spawn(process.execPath, ["dist/worker/cluster.js", "--lanes", lanes], {
      cwd: APP,
      env: {
        ...process.env,
        PASTICHE_DATABASE_URL: url,
        PASTICHE_MODELS_DIR: modelsDir()!,
        PASTICHE_FAST_EXPIRY_SECONDS: String(EXPIRY.fast),
        PASTICHE_QUALITY_EXPIRY_SECONDS: String(EXPIRY.quality),
        PASTICHE_QUEUE_MAINTENANCE_SECONDS: "1",
        PASTICHE_PREVIEW_EVERY: "2",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
    workers.push(child);
    return child;
  }

  async function enqueue(mode: "fast" | "quality", options: Record<string, unknown>): Promise<string> {
    const input = JobCreateInputSchema.parse({ mode, contentId, styleIds: [styleId], options });
    const id = newId();
    await repo.jobs.insert({
      id,
      mode,
      options: input.options,
      contentId,
      styleIds: [styleId],
      client: "127.0.0.1",
      owner: "alice",
      createdAt: new Date().toISOString(),
    });
    await queue.enqueue(id, mode);
    return id;
  }

  /** The job's row once it has ended; on a timeout, the error carries what the workers printed. */
  function ended(what: string, id: string, ms: number): Promise<JobRow> {
    return until(
      what,
      async () => {
        const r = await repo.jobs.get(id);
        return r && r.status !== "queued" && r.status !== "running" ? r : undefined;
      },
      ms,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; workers said: ${output.join("")}`);
    });
  }

  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    url = await cluster.database("workers");
    repo = await postgresRepository(url, { migrationsDir: path.join(APP, "migrations", "postgres") });
    pool = postgresPool(url);
    blobs = new PostgresBlobs(pool);
    const images = [
      [
        contentId,
        "content",
        await sharp({ create: { width: 80, height: 64, channels: 3, background: "#4477aa" } })
          .png()
          .toBuffer(),
      ],
      [
        styleId,
        "style",
        await sharp({ create: { width: 64, height: 64, channels: 3, background: "#aa5522" } })
          .png()
          .toBuffer(),
      ],
    ] as const;
    for (const [id, role, bytes] of images) {
      await repo.uploads.insert({
        id,
        role,
        format: "png",
        width: 64,
        height: 64,
        bytes: bytes.length,
        example_key: null,
        created_at: new Date().toISOString(),
        owner: "alice",
        disk_bytes: bytes.length,
      });
      await blobs.put("upload", id, bytes);
    }
    boss = await startBoss(url, { expireSeconds: EXPIRY, maintenanceSeconds: 1 }, () => undefined);
    queue = new ClusterQueue(boss, repo, blobs, pool);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.kill("SIGKILL");
    await boss?.stop({ graceful: false, close: true, wait: true });
    await pool?.end();
    await repo?.close();
    cluster?.remove();
  }, 60_000);

  it("a worker process runs a Fast job through the real pipeline; the result is in the blob store", async () => {
    const worker = startWorker("fast");
    const id = await enqueue("fast", { size: 64 });
    const row = await ended("the Fast job", id, 120_000);
    expect(row).toMatchObject({ status: "succeeded", has_result: 1, error: null });
    const meta = await sharp(await blobs.get("result", id)).metadata();
    expect(meta.format).toBe("png");
    expect(Math.max(meta.width, meta.height)).toBe(64);
    worker.kill("SIGTERM");
  }, 180_000);

  it("kill -9 of the worker during a Quality job: another worker process finishes it; one result", async () => {
    const doomed = startWorker("quality");
    const id = await enqueue("quality", { size: 64, iterations: 40 });
    // Killed once it has saved a checkpoint (with its first preview, every 2 iterations here).
    await until("the first checkpoint", async () => (await blobs.list("checkpoint")).includes(id), 120_000).catch(async (e: unknown) => {
      throw new Error(`${String(e)}; the job: ${JSON.stringify(await repo.jobs.get(id))}; workers said: ${output.join("")}`);
    });
    doomed.kill("SIGKILL");
    startWorker("quality");
    const row = await ended("the retried Quality job", id, 180_000);
    expect(row).toMatchObject({ status: "succeeded", has_result: 1 });
    // 2; 3 when the retry itself ran past the expiry on a loaded machine (no heartbeat in pg-boss 10).
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    process.stderr.write(`kill -9 recovery: job ended ${Date.parse(row.finished_at!) - Date.parse(row.created_at)} ms after it was queued\n`);
    // The retry went on from the checkpoint, not from zero; the checkpoint went with the job's end.
    expect(output.join("")).toMatch(new RegExp(`job ${id}: resuming from its checkpoint at iteration \\d+ of 40`));
    expect(await blobs.list("checkpoint")).not.toContain(id);
    expect((await sharp(await blobs.get("result", id)).metadata()).format).toBe("png");
    expect(await blobs.list("result")).toContain(id);
  }, 300_000);
});
