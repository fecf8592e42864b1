/**
 * The scheduler. The queue itself is the jobs table (status 'queued', FIFO by seq); this class runs it:
 * one lane per mode, each with its own slots (runners), so a Fast job never waits behind a Quality
 * job. Progress from a runner is pushed to subscribers at once and written to the job row at most
 * every PROGRESS_WRITE_MS (plus whenever a preview is written), to keep SQLite writes cheap.
 */
import { rmSync, statSync } from "node:fs";
import type { JobMode, JobOptions, JobProgress } from "../../shared/jobSchemas";
import type { JobsRepo, JobRow } from "../db/jobsRepo";
import type { DataPaths } from "../storage/dataDir";
import type { JobEvents } from "./jobEvents";
import type { JobRunner, RunnerFactory, RunOutcome, RunProgress, RunTask } from "./runner";

const PROGRESS_WRITE_MS = 500;

export const CANCELLED_MESSAGE = "Cancelled.";

interface Slot {
  runner: JobRunner;
  job: { id: string; controller: AbortController; done: Promise<void> } | undefined;
}

export interface JobQueueDeps {
  jobs: JobsRepo;
  paths: DataPaths;
  events: JobEvents;
  runnerFactory: RunnerFactory;
  concurrency: Record<JobMode, number>;
  previewEvery: number;
  maxInputPixels: number;
  now?: () => Date;
  log?: (message: string) => void;
  /** After a run has ended and its row is final (the app purges a job deleted while it ran). */
  afterRun?: (jobId: string) => void;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export class JobQueue {
  private readonly lanes: Record<JobMode, Slot[]>;
  private readonly live = new Map<string, JobProgress>();
  private readonly lastWrite = new Map<string, number>();
  private stopped = false;

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

  /** Starts queued jobs while each lane has a free slot. Cheap; call after any change. */
  kick(): void {
    if (this.stopped) return;
    for (const mode of ["fast", "quality"] as const) {
      for (const slot of this.lanes[mode]) {
        if (slot.job) continue;
        const row = this.deps.jobs.claimNext(mode, this.now());
        if (!row) break;
        this.start(slot, row);
      }
    }
  }

  private task(row: JobRow): RunTask {
    const { paths } = this.deps;
    return {
      jobId: row.id,
      mode: row.mode,
      contentPath: paths.upload(row.content_id),
      stylePaths: (JSON.parse(row.style_ids_json) as string[]).map((id) => paths.upload(id)),
      options: JSON.parse(row.options_json) as JobOptions,
      resultPath: paths.result(row.id),
      previewPath: paths.preview(row.id),
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
    // the next start re-queues it (see JobsRepo.recoverInterrupted).
    if (this.stopped && outcome.status !== "succeeded") return;
    const live = this.live.get(row.id);
    if (live) this.deps.jobs.updateProgress(row.id, live, false);
    this.live.delete(row.id);
    this.lastWrite.delete(row.id);
    const error = outcome.status === "failed" ? outcome.error : outcome.status === "cancelled" ? CANCELLED_MESSAGE : null;
    // No-op when the job was already cancelled by the user (the row is terminal).
    this.deps.jobs.finish(row.id, outcome.status, this.now(), error, outcome.status === "succeeded");
    if (outcome.status === "failed") this.deps.log?.(`job ${row.id} failed: ${outcome.error}`);
    const { paths } = this.deps;
    // The row no longer offers the preview (finish), so the file can go: a job that ended without a
    // result keeps nothing. What stays counts against its visitor's quota.
    if (outcome.status !== "succeeded") rmSync(paths.preview(row.id), { force: true });
    this.deps.jobs.setDiskBytes(row.id, outcome.status === "succeeded" ? fileSize(paths.result(row.id)) + fileSize(paths.preview(row.id)) : 0);
    slot.job = undefined;
    this.deps.events.jobChanged(row.id);
    this.deps.afterRun?.(row.id);
    this.kick();
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
      try {
        this.deps.jobs.updateProgress(id, progress, p.previewWritten);
        this.lastWrite.set(id, now);
      } catch (e) {
        // A full disk must not take the server down: the live progress still reaches subscribers.
        this.deps.log?.(`job ${id}: progress not saved: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.deps.events.jobChanged(id);
  }

  /**
   * Cancels a job: a queued one at once; a running one is marked cancelled at once and its worker
   * told to stop (within one iteration; its slot frees when it has). Returns false when the job had
   * already ended.
   */
  cancel(id: string): boolean {
    const row = this.deps.jobs.get(id);
    if (!row || (row.status !== "queued" && row.status !== "running")) return false;
    this.deps.jobs.finish(id, "cancelled", this.now(), CANCELLED_MESSAGE, false);
    for (const slot of this.lanes[row.mode]) if (slot.job?.id === id) slot.job.controller.abort();
    this.deps.events.jobChanged(id);
    if (row.status === "queued") this.deps.events.laneChanged(row.mode);
    return true;
  }

  /** Resolves when no job is running (tests). */
  async settled(): Promise<void> {
    for (;;) {
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
