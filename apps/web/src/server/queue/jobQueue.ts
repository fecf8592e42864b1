/**
 * Embedded mode's scheduler. The queue itself is the jobs table (status 'queued', FIFO by seq); this class runs it:
 * one lane per mode, each with its own slots (runners), so a Fast job never waits behind a Quality
 * job. Progress from a runner is pushed to subscribers at once and written to the job row at most
 * every PROGRESS_WRITE_MS (plus whenever a preview is written), to keep SQLite writes cheap.
 */
import { stat } from "node:fs/promises";
import type { JobMode, JobOptions, JobProgress } from "../../shared/jobSchemas";
import type { Repository } from "../db/repository/repository";
import type { JobRow } from "../db/repository/rows";
import type { DataDirBlobs } from "../storage/blobs/dataDirBlobs";
import type { JobEvents } from "./jobEvents";
import type { JobRunner, RunnerFactory, RunOutcome, RunProgress, RunTask } from "./runner";
import type { JobScheduler } from "./scheduler";

const PROGRESS_WRITE_MS = 500;

export const CANCELLED_MESSAGE = "Cancelled.";

interface Slot {
  runner: JobRunner;
  job: { id: string; controller: AbortController; done: Promise<void> } | undefined;
}

export interface JobQueueDeps {
  repo: Repository;
  /** The data directory's blobs: workers read inputs from and write outputs to their files. */
  blobs: DataDirBlobs;
  events: JobEvents;
  runnerFactory: RunnerFactory;
  concurrency: Record<JobMode, number>;
  previewEvery: number;
  maxInputPixels: number;
  now?: () => Date;
  log?: (message: string) => void;
  /** After a run has ended and its row is final (the app purges a job deleted while it ran). */
  afterRun?: (jobId: string) => Promise<void>;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

export class JobQueue implements JobScheduler {
  private readonly lanes: Record<JobMode, Slot[]>;
  private readonly live = new Map<string, JobProgress>();
  private readonly lastWrite = new Map<string, number>();
  private readonly progressWrites = new Map<string, Promise<void>>();
  private stopped = false;
  /** Kicks run one after another, so two never claim jobs for the same free slot. */
  private kicking: Promise<void> = Promise.resolve();

  constructor(private readonly deps: JobQueueDeps) {
    const slots = (mode: JobMode): Slot[] =>
      Array.from({ length: deps.concurrency[mode] }, (_, i) => ({ runner: deps.runnerFactory(mode, i), job: undefined }));
    this.lanes = { quality: slots("quality"), fast: slots("fast") };
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  /** The backend of the first runner that reported one. */
  get backend(): string | null {
    for (const slot of [...this.lanes.fast, ...this.lanes.quality]) if (slot.runner.backend) return slot.runner.backend;
    return null;
  }

  /** Latest progress of a running job, fresher than the row. */
  liveProgress(id: string): JobProgress | undefined {
    return this.live.get(id);
  }

  /** Starts queued jobs while each lane has a free slot; resolves when they have started. Cheap; call after any change. */
  kick(): Promise<void> {
    const next = this.kicking.then(() => this.fill());
    this.kicking = next.catch((e: unknown) => {
      this.deps.log?.(`could not start queued jobs (retried at the next change): ${e instanceof Error ? e.message : String(e)}`);
    });
    return next;
  }

  submit(): Promise<void> {
    return this.kick();
  }

  private async fill(): Promise<void> {
    if (this.stopped) return;
    for (const mode of ["fast", "quality"] as const) {
      for (const slot of this.lanes[mode]) {
        if (slot.job) continue;
        const row = await this.deps.repo.jobs.claimNext(mode, this.now());
        if (!row) break;
        this.start(slot, row);
      }
    }
  }

  private task(row: JobRow): RunTask {
    const { blobs } = this.deps;
    return {
      jobId: row.id,
      mode: row.mode,
      contentPath: blobs.file("upload", row.content_id),
      stylePaths: (JSON.parse(row.style_ids_json) as string[]).map((id) => blobs.file("upload", id)),
      options: JSON.parse(row.options_json) as JobOptions,
      resultPath: blobs.file("result", row.id),
      previewPath: blobs.file("preview", row.id),
      previewEvery: this.deps.previewEvery,
      maxInputPixels: this.deps.maxInputPixels,
    };
  }

  private start(slot: Slot, row: JobRow): void {
    const controller = new AbortController();
    // execute only rejects if the database itself fails (e.g. the disk is full): log it rather than
    // crash the server; the row stays 'running' and the next start re-queues it.
    const done = this.execute(slot, row, controller.signal).catch((e: unknown) => {
      slot.job = undefined;
      this.deps.log?.(`job ${row.id}: could not record its end: ${e instanceof Error ? e.message : String(e)}`);
    });
    slot.job = { id: row.id, controller, done };
    this.deps.events.jobChanged(row.id);
    this.deps.events.laneChanged(row.mode);
  }

  private async execute(slot: Slot, row: JobRow, signal: AbortSignal): Promise<void> {
    let outcome: RunOutcome;
    try {
      outcome = await slot.runner.run(
        this.task(row),
        (p) => {
          this.onProgress(row.id, p);
        },
        signal,
      );
    } catch (e) {
      outcome = { status: "failed", error: `The job failed: ${e instanceof Error ? e.message : String(e)}` };
    }
    // Shutting down: a run killed by close() is not a failure of the job; it stays 'running' and
    // the next start re-queues it (see JobStore.recoverInterrupted).
    if (this.stopped && outcome.status !== "succeeded") return;
    const { repo, blobs } = this.deps;
    const live = this.live.get(row.id);
    this.live.delete(row.id);
    this.lastWrite.delete(row.id);
    try {
      await this.progressWrites.get(row.id);
      if (live) await repo.jobs.updateProgress(row.id, live, false);
      const error = outcome.status === "failed" ? outcome.error : outcome.status === "cancelled" ? CANCELLED_MESSAGE : null;
      // No-op when the job was already cancelled by the user (the row is terminal).
      await repo.jobs.finish(row.id, outcome.status, this.now(), error, outcome.status === "succeeded");
      if (outcome.status === "failed") this.deps.log?.(`job ${row.id} failed: ${outcome.error}`);
      // The row no longer offers the preview (finish), so the file can go: a job that ended without a
      // result keeps nothing. What stays counts against its visitor's quota.
      if (outcome.status !== "succeeded") await blobs.delete("preview", row.id);
      const bytes = outcome.status === "succeeded" ? (await fileSize(blobs.file("result", row.id))) + (await fileSize(blobs.file("preview", row.id))) : 0;
      await repo.jobs.setDiskBytes(row.id, bytes);
    } finally {
      this.progressWrites.delete(row.id);
      slot.job = undefined;
    }
    this.deps.events.jobChanged(row.id);
    await this.deps.afterRun?.(row.id);
    void this.kick().catch(() => undefined);
  }

  /** Whether a worker is running the job right now (a cancelled one until it has stopped). */
  isActive(id: string): boolean {
    return [...this.lanes.fast, ...this.lanes.quality].some((s) => s.job?.id === id);
  }

  private onProgress(id: string, p: RunProgress): void {
    const progress: JobProgress = { iteration: p.iteration, iterations: p.iterations, elapsedMs: p.elapsedMs, etaMs: p.etaMs, losses: p.losses };
    this.live.set(id, progress);
    const now = Date.now();
    if (p.previewWritten || now - (this.lastWrite.get(id) ?? 0) >= PROGRESS_WRITE_MS) {
      this.lastWrite.set(id, now);
      // In order, one after another; the run's end waits for them.
      const write = (this.progressWrites.get(id) ?? Promise.resolve())
        .then(() => this.deps.repo.jobs.updateProgress(id, progress, p.previewWritten))
        .then(
          () => {
            // The row now offers the new preview.
            if (p.previewWritten) this.deps.events.jobChanged(id);
          },
          (e: unknown) => {
            // A full disk must not take the server down: the live progress still reaches subscribers.
            this.deps.log?.(`job ${id}: progress not saved: ${e instanceof Error ? e.message : String(e)}`);
          },
        );
      this.progressWrites.set(id, write);
    }
    this.deps.events.jobChanged(id);
  }

  /**
   * Cancels a job: a queued one at once; a running one is marked cancelled at once and its worker
   * told to stop (within one iteration; its slot frees when it has). Returns false when the job had
   * already ended.
   */
  async cancel(id: string): Promise<boolean> {
    const row = await this.deps.repo.jobs.get(id);
    if (!row || (row.status !== "queued" && row.status !== "running")) return false;
    await this.deps.repo.jobs.finish(id, "cancelled", this.now(), CANCELLED_MESSAGE, false);
    for (const slot of this.lanes[row.mode]) if (slot.job?.id === id) slot.job.controller.abort();
    this.deps.events.jobChanged(id);
    if (row.status === "queued") this.deps.events.laneChanged(row.mode);
    return true;
  }

  /** Resolves when no job is running (tests). */
  async settled(): Promise<void> {
    for (;;) {
      await this.kicking;
      const running = [...this.lanes.fast, ...this.lanes.quality].flatMap((s) => (s.job ? [s.job.done] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** Stops starting jobs and shuts the runners down. Jobs still running stay 'running' in the DB: the next start recovers them. */
  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.lanes.fast, ...this.lanes.quality].map((s) => s.runner.close()));
  }
}
