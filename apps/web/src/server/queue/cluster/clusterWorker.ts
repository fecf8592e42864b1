/**
 * A worker of the cluster (`pnpm worker`): takes jobs of its lanes from pg-boss and runs them with
 * the same runners as the embedded queue (a worker process each, src/worker), copying the inputs
 * from the blob store to a private temp dir and the preview and result back. The row in the
 * database is the truth: a job cancelled or deleted before its turn is skipped; progress goes to
 * the row and out by NOTIFY; a run ends the job only while it still owns it (`attempts`).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type PgBoss from "pg-boss";
import type pg from "pg";
import type { JobMode, JobOptions, JobProgress } from "../../../shared/jobSchemas";
import type { Repository } from "../../db/repository/repository";
import type { BlobStore } from "../../storage/blobs/blobStore";
import { readPngText } from "@pastiche/node/light";
import { CHECKPOINT_TEXT } from "../../../worker/protocol.ts";
import { CANCELLED_MESSAGE } from "../jobQueue.ts";
import type { JobRunner, RunnerFactory, RunOutcome, RunProgress, RunTask } from "../runner";
import { ABANDONED_QUEUE, QUEUE, WORKER_LOST_FAILURE, type QueuedJob } from "./boss.ts";
import { JobListener, notify } from "./notifications.ts";

const PROGRESS_WRITE_MS = 500;

export interface ClusterWorkerDeps {
  url: string;
  boss: PgBoss;
  pool: pg.Pool;
  repo: Repository;
  blobs: BlobStore;
  runnerFactory: RunnerFactory;
  lanes: readonly JobMode[];
  /** Jobs at once per lane. */
  concurrency: number;
  previewEvery: number;
  maxInputPixels: number;
  /** Where inputs and outputs of running jobs are kept (removed after each job). */
  workDir: string;
  log: (message: string) => void;
  /** The queues' expiry (boss.ts): a run still going then is stopped, the queue has given the job to another worker. */
  expireSeconds: Record<JobMode, number>;
  /** Seconds between pg-boss's polls for new jobs (default 1). */
  pollSeconds?: number;
}

export class ClusterWorker {
  private readonly running = new Map<string, AbortController>();
  private readonly runners: JobRunner[] = [];
  /** pg-boss's worker ids per lane, woken when a job is queued (instead of at the next poll). */
  private readonly bossWorkers: Record<JobMode, string[]> = { fast: [], quality: [] };
  private listener: JobListener | undefined;

  private constructor(private readonly deps: ClusterWorkerDeps) {}

  static async start(deps: ClusterWorkerDeps): Promise<ClusterWorker> {
    const worker = new ClusterWorker(deps);
    await mkdir(deps.workDir, { recursive: true });
    worker.listener = new JobListener(
      deps.url,
      (m) => {
        if (m.t === "cancel") worker.running.get(m.id)?.abort();
        if (m.t === "lane") for (const id of worker.bossWorkers[m.mode]) deps.boss.notifyWorker(id);
      },
      () => {
        // Cancels sent while the channel was down: the rows say which of ours ended.
        void worker.recheckCancelled();
      },
      deps.log,
    );
    await worker.listener.start();
    const pollingIntervalSeconds = deps.pollSeconds ?? 1;
    for (const mode of deps.lanes) {
      for (let slot = 0; slot < deps.concurrency; slot++) {
        const runner = deps.runnerFactory(mode, slot);
        worker.runners.push(runner);
        // pg-boss stops waiting for a handler at the expiry and fetches the next job; the runner
        // takes one job at a time, so the next run waits for the previous one to have stopped.
        let idle = Promise.resolve();
        // Set once work() resolves; the handler may run before that.
        const lane: { bossId?: string } = {};
        lane.bossId = await deps.boss.work<QueuedJob>(QUEUE[mode], { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
          if (!job) return;
          const previous = idle;
          const current = previous.then(() => worker.run(mode, runner, job.data.jobId));
          idle = current.catch(() => undefined);
          try {
            await current;
          } finally {
            // The next job at once, not after the polling interval (pg-boss waits it out unless notified).
            if (lane.bossId !== undefined) deps.boss.notifyWorker(lane.bossId);
          }
        });
        worker.bossWorkers[mode].push(lane.bossId);
      }
    }
    await deps.boss.work<QueuedJob>(ABANDONED_QUEUE, { batchSize: 1, pollingIntervalSeconds }, async ([job]) => {
      if (job) await worker.abandon(job.data.jobId);
    });
    return worker;
  }

  /** The backend of the first runner that reported one. */
  get backend(): string | null {
    for (const r of this.runners) if (r.backend) return r.backend;
    return null;
  }

  /** Ids of the jobs running here now. */
  get active(): string[] {
    return [...this.running.keys()];
  }

  private async recheckCancelled(): Promise<void> {
    for (const [id, controller] of this.running) {
      const row = await this.deps.repo.jobs.get(id).catch(() => undefined);
      if (row && row.status !== "running") controller.abort();
    }
  }

  private async changed(id: string, mode?: JobMode): Promise<void> {
    await notify(this.deps.pool, { t: "job", id });
    if (mode) await notify(this.deps.pool, { t: "lane", mode });
  }

  /** The retries are used up (its workers kept dying): the job fails with the reason. */
  private async abandon(id: string): Promise<void> {
    const { repo, blobs } = this.deps;
    if (await repo.jobs.finish(id, "failed", new Date().toISOString(), WORKER_LOST_FAILURE, false)) {
      await blobs.delete("preview", id);
      this.deps.log(`job ${id} failed: ${WORKER_LOST_FAILURE}`);
      await this.changed(id);
    }
  }

  private async run(mode: JobMode, runner: JobRunner, id: string): Promise<void> {
    const { repo, blobs } = this.deps;
    const row = await repo.jobs.claim(id, new Date().toISOString());
    // Cancelled or deleted before its turn: nothing to run.
    if (!row) return;
    this.deps.log(`job ${id}: run ${row.attempts} started`);
    await this.changed(id, mode);
    const dir = await mkdtemp(path.join(this.deps.workDir, "job-"));
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      const inputs = [row.content_id, ...(JSON.parse(row.style_ids_json) as string[])];
      const files: string[] = [];
      for (const [i, uploadId] of inputs.entries()) {
        const bytes = await blobs.get("upload", uploadId);
        if (!bytes) {
          await this.end(row.id, row.attempts, { status: "failed", error: "An image of this job is not on the server any more; please upload it again." });
          return;
        }
        const file = path.join(dir, `input-${i}`);
        await writeFile(file, bytes);
        files.push(file);
      }
      const options = JSON.parse(row.options_json) as JobOptions;
      const task: RunTask = {
        jobId: id,
        mode,
        contentPath: files[0]!,
        stylePaths: files.slice(1),
        options,
        resultPath: path.join(dir, "result.png"),
        previewPath: path.join(dir, "preview.jpg"),
        ...(mode === "quality" ? { checkpointPath: path.join(dir, "checkpoint.png") } : {}),
        previewEvery: this.deps.previewEvery,
        maxInputPixels: this.deps.maxInputPixels,
      };
      // A retry of a Quality job: on from the previous run's checkpoint, not from zero.
      if (row.attempts > 1 && mode === "quality") await this.resume(id, task, dir);
      let writes = Promise.resolve();
      let lastWrite = 0;
      const onProgress = (p: RunProgress): void => {
        const now = Date.now();
        if (!p.previewWritten && now - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = now;
        const progress: JobProgress = { iteration: p.iteration, iterations: p.iterations, elapsedMs: p.elapsedMs, etaMs: p.etaMs, losses: p.losses };
        writes = writes
          .then(async () => {
            if (p.previewWritten && task.checkpointPath !== undefined) {
              // The checkpoint first: a preview is never newer than the image a retry would start from.
              const checkpoint = await readFile(/* turbopackIgnore: true */ task.checkpointPath).catch(() => undefined);
              if (checkpoint) await blobs.put("checkpoint", id, checkpoint);
            }
            if (p.previewWritten) await blobs.put("preview", id, await readFile(/* turbopackIgnore: true */ task.previewPath));
            await repo.jobs.updateProgress(id, progress, p.previewWritten);
            await this.changed(id);
          })
          .catch((e: unknown) => {
            this.deps.log(`job ${id}: progress not saved: ${e instanceof Error ? e.message : String(e)}`);
          });
      };
      let expired = false;
      const expiry = setTimeout(() => {
        expired = true;
        controller.abort();
      }, this.deps.expireSeconds[mode] * 1000);
      let outcome: RunOutcome;
      try {
        outcome = await runner.run(task, onProgress, controller.signal);
      } catch (e) {
        outcome = { status: "failed", error: `The job failed: ${e instanceof Error ? e.message : String(e)}` };
      } finally {
        clearTimeout(expiry);
      }
      await writes;
      // The queue gave the job to another worker at its expiry: this run ends nothing.
      if (expired) {
        this.deps.log(`job ${id} ran past its expiry (${this.deps.expireSeconds[mode]} s) and was handed back to the queue`);
        return;
      }
      await this.end(id, row.attempts, outcome, task.resultPath);
      await this.changed(id, mode);
    } finally {
      this.running.delete(id);
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Points the task at the job's checkpoint, if it has one a run can go on from. */
  private async resume(id: string, task: RunTask, dir: string): Promise<void> {
    const checkpoint = await this.deps.blobs.get("checkpoint", id);
    if (!checkpoint || !("iterations" in task.options)) return;
    const at = Number(readPngText(checkpoint)[CHECKPOINT_TEXT]);
    const total = task.options.iterations;
    if (!Number.isInteger(at) || at <= 0 || at >= total) return;
    const imagePath = path.join(dir, "resume.png");
    await writeFile(imagePath, checkpoint);
    task.resume = { imagePath, iteration: at };
    this.deps.log(`job ${id}: resuming from its checkpoint at iteration ${at} of ${total}`);
  }

  /**
   * Records the end of this run, if the run still owns the job (`attempt`). A result and the row's
   * end are one transaction where the blob store allows it (PostgreSQL): a run the queue gave up on
   * stores nothing, so a job never gets two results. Otherwise the result is stored first.
   */
  private async end(id: string, attempt: number, outcome: RunOutcome, resultPath?: string): Promise<void> {
    const { repo, blobs } = this.deps;
    let resultBytes = 0;
    let ended: boolean | undefined;
    if (outcome.status === "succeeded" && resultPath) {
      const result = await readFile(/* turbopackIgnore: true */ resultPath).catch(() => undefined);
      if (!result) outcome = { status: "failed", error: "The job failed: its worker wrote no result." };
      else {
        resultBytes = result.length;
        const { putInTransaction } = blobs;
        const now = new Date().toISOString();
        if (putInTransaction) {
          ended = await repo.transaction(async (tx) => {
            if (!(await tx.jobs.finish(id, "succeeded", now, null, true, attempt))) return false;
            await putInTransaction(tx, "result", id, result);
            return true;
          });
        } else {
          const row = await repo.jobs.get(id);
          if (row?.status !== "running" || row.attempts !== attempt) return;
          await blobs.put("result", id, result);
          ended = await repo.jobs.finish(id, "succeeded", now, null, true, attempt);
        }
      }
    }
    const error = outcome.status === "failed" ? outcome.error : outcome.status === "cancelled" ? CANCELLED_MESSAGE : null;
    ended ??= await repo.jobs.finish(id, outcome.status, new Date().toISOString(), error, outcome.status === "succeeded", attempt);
    const row = await repo.jobs.get(id);
    // A job that ended without a result keeps neither a result nor a preview (also when a user's cancel
    // ended it); one deleted meanwhile keeps nothing.
    if (!row || (row.has_result === 0 && row.status !== "running" && row.status !== "queued")) {
      await blobs.delete("preview", id);
      await blobs.delete("result", id);
    }
    // Ended (or handed on): this run's checkpoint is of no more use once the job has ended.
    if (!row || (row.status !== "running" && row.status !== "queued")) await blobs.delete("checkpoint", id);
    if (ended && outcome.status === "succeeded") {
      const preview = await blobs.stream("preview", id);
      preview?.body.destroy();
      await repo.jobs.setDiskBytes(id, resultBytes + (preview?.size ?? 0));
    }
    if (outcome.status === "failed") this.deps.log(`job ${id} failed: ${outcome.error}`);
  }

  async close(): Promise<void> {
    for (const c of this.running.values()) c.abort();
    await this.listener?.close();
    await Promise.all(this.runners.map((r) => r.close()));
  }
}
