/**
 * Deleting stored work: expired by retention, or deleted by its visitor. Never a row without its
 * blobs, never blobs without their row, even after a crash at any point:
 *  1. mark the rows `deleting` (one transaction): from then on no visitor-facing query sees them;
 *  2. delete their blobs;
 *  3. delete the rows.
 * A crash after 1 or 2 leaves marked rows, which the next pass finishes; `reconcile` (at start-up)
 * also removes blobs that have no row (an upload that crashed between its blobs and its row, a temp
 * file of an interrupted write, the preview of a job that ended without a result). Passes of this
 * process run one at a time; in cluster mode several servers may sweep at once, which is safe
 * because every step is idempotent and works on marked rows only.
 */
import { TERMINAL_STATUSES } from "../../shared/constants";
import type { Repository } from "../db/repository/repository";
import type { BlobKind, BlobStore } from "./blobs/blobStore";

export interface SweeperDeps {
  repo: Repository;
  blobs: BlobStore;
  retentionMs: number;
  /** Whether a worker of this process is still running the job (its blobs are removed once it has stopped). */
  isActive: (jobId: string) => boolean;
  /**
   * Whether `reconcile` removes uploads and thumbnails without a row. Embedded mode: yes (nothing
   * else writes). Cluster mode: no, another server may be between an upload's blobs and its row.
   */
  uploadOrphans: boolean;
  /** Extra clean-up at start-up (the data directory's temp files); returns the files removed. */
  removeLeftovers?: () => Promise<number>;
  /** Extra clean-up on every periodic pass (rate limit buckets). */
  onSweep?: () => Promise<void>;
  now?: () => number;
  log?: (message: string) => void;
}

export interface PurgeOutcome {
  jobs: number;
  uploads: number;
}

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SweeperDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** One pass after another: `fn` starts when the previous pass has ended. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.running.then(fn, fn);
    this.running = next.catch(() => undefined);
    return next;
  }

  /**
   * Marks what expired: ended jobs made more than the retention ago, then uploads as old that no
   * remaining job uses (an upload lives as long as the jobs made from it). Example styles never expire.
   */
  markExpired(): Promise<void> {
    return this.deps.repo.retention.markExpired(new Date(this.now() - this.deps.retentionMs).toISOString());
  }

  /** Steps 2 and 3 for every marked row whose blobs can go now. */
  purge(): Promise<PurgeOutcome> {
    return this.serial(() => this.purgeNow());
  }

  private async purgeNow(): Promise<PurgeOutcome> {
    const { repo, blobs } = this.deps;
    const jobIds = (await repo.retention.markedJobIds()).filter((id) => !this.deps.isActive(id));
    for (const id of jobIds) {
      await blobs.delete("result", id);
      await blobs.delete("preview", id);
      await blobs.delete("checkpoint", id);
    }
    await repo.retention.deleteMarkedJobs(jobIds);
    // After the jobs: a marked upload still used by a job (marked or not) keeps its blobs for now.
    const uploadIds = await repo.retention.purgeableUploadIds();
    for (const id of uploadIds) {
      await blobs.delete("upload", id);
      await blobs.delete("thumbnail", id);
    }
    await repo.retention.deleteMarkedUploads(uploadIds);
    return { jobs: jobIds.length, uploads: uploadIds.length };
  }

  /** One periodic pass. */
  sweep(): Promise<PurgeOutcome> {
    return this.serial(async () => {
      await this.markExpired();
      const outcome = await this.purgeNow();
      await this.deps.onSweep?.();
      if (outcome.jobs + outcome.uploads > 0) this.deps.log?.(`retention: deleted ${outcome.jobs} job(s) and ${outcome.uploads} upload(s) with their files`);
      return outcome;
    });
  }

  /**
   * At start-up, before any job of this process runs: finishes deletions a crash interrupted, then
   * removes every blob without a row (and leftovers of interrupted atomic writes). Returns the
   * blobs and files removed.
   */
  reconcile(): Promise<number> {
    return this.serial(async () => {
      await this.purgeNow();
      const { repo, blobs } = this.deps;
      const owners = await repo.retention.fileOwners();
      const uploads = new Set(owners.uploads);
      const jobs = new Map(owners.jobs.map((r) => [r.id, r]));
      // A job that ended without a result keeps neither a result nor a preview.
      const keepsJobBlob = (id: string): boolean => {
        const job = jobs.get(id);
        return job !== undefined && !(TERMINAL_STATUSES.includes(job.status) && job.has_result === 0);
      };
      const rules: [BlobKind, (id: string) => boolean][] = [
        ["result", keepsJobBlob],
        ["preview", keepsJobBlob],
        // Only a job that may still run (again) needs its checkpoint.
        ["checkpoint", (id) => ["queued", "running"].includes(jobs.get(id)?.status ?? "")],
      ];
      if (this.deps.uploadOrphans) rules.push(["upload", (id) => uploads.has(id)], ["thumbnail", (id) => uploads.has(id)]);
      let removed = (await this.deps.removeLeftovers?.()) ?? 0;
      for (const [kind, keep] of rules) {
        for (const id of await blobs.list(kind)) {
          if (keep(id)) continue;
          await blobs.delete(kind, id);
          removed++;
        }
      }
      if (removed > 0) this.deps.log?.(`start-up: removed ${removed} file(s) without a database row`);
      return removed;
    });
  }

  /** Sweeps every quarter of the retention (between 1 s and 10 min), in the background. */
  start(): void {
    const every = Math.min(600_000, Math.max(1000, Math.round(this.deps.retentionMs / 4)));
    this.timer = setInterval(() => {
      this.sweep().catch((e: unknown) => {
        this.deps.log?.(`retention sweep failed (retried at the next pass): ${e instanceof Error ? e.message : String(e)}`);
      });
    }, every);
    this.timer.unref();
  }

  /** Stops the timer; resolves when a pass under way has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
