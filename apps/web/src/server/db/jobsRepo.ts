/** The jobs table: the persistent queue and the history. Synchronous (better-sqlite3), so every method is atomic. */
import type Database from "better-sqlite3";
import type { JobMode, JobOptions, JobProgress, JobStatus } from "../../shared/jobSchemas";

export interface JobRow {
  seq: number;
  id: string;
  mode: JobMode;
  status: JobStatus;
  options_json: string;
  content_id: string;
  style_ids_json: string;
  client: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  attempts: number;
  progress_json: string | null;
  preview_version: number;
  has_result: number;
  /** The visitor's owner key (see visitor.ts); null for jobs from before visitors existed. */
  owner: string | null;
  disk_bytes: number;
  deleting: number;
  share_token: string | null;
}

export interface NewJob {
  id: string;
  mode: JobMode;
  options: JobOptions;
  contentId: string;
  styleIds: readonly string[];
  client: string;
  owner: string;
  createdAt: string;
}

/** What happened to a job found 'running' when the server started. */
export interface RecoveryOutcome {
  requeued: string[];
  failed: string[];
}

/** A job interrupted by a restart is re-queued this many times at most, then marked failed. */
export const MAX_ATTEMPTS = 2;

export const RESTART_FAILURE = "The server restarted during this job twice, so it was stopped; please submit it again.";

export class JobsRepo {
  constructor(private readonly db: Database.Database) {}

  insert(job: NewJob): void {
    this.db
      .prepare(
        "INSERT INTO jobs (id, mode, status, options_json, content_id, style_ids_json, client, owner, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
      )
      .run(job.id, job.mode, JSON.stringify(job.options), job.contentId, JSON.stringify(job.styleIds), job.client, job.owner, job.createdAt);
  }

  /** Any row, whoever owns it (server-side use only: the queue, the sweeper, tests). */
  get(id: string): JobRow | undefined {
    return this.db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE id = ?").get(id);
  }

  /**
   * A job of this visitor. Another visitor's job, or one being deleted, is indistinguishable from an
   * id that does not exist.
   */
  own(id: string, owner: string): JobRow | undefined {
    return this.db.prepare<[string, string], JobRow>("SELECT * FROM jobs WHERE id = ? AND owner = ? AND deleting = 0").get(id, owner);
  }

  /** A published result, by its share token. */
  shared(token: string): JobRow | undefined {
    return this.db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE share_token = ? AND has_result = 1 AND deleting = 0").get(token);
  }

  /** The visitor's jobs, newest first; `beforeSeq` is the cursor (exclusive). */
  list(owner: string, limit: number, beforeSeq: number | undefined): JobRow[] {
    return beforeSeq === undefined
      ? this.db.prepare<[string, number], JobRow>("SELECT * FROM jobs WHERE owner = ? AND deleting = 0 ORDER BY seq DESC LIMIT ?").all(owner, limit)
      : this.db
          .prepare<[string, number, number], JobRow>("SELECT * FROM jobs WHERE owner = ? AND deleting = 0 AND seq < ? ORDER BY seq DESC LIMIT ?")
          .all(owner, beforeSeq, limit);
  }

  setShareToken(id: string, token: string | null): void {
    this.db.prepare("UPDATE jobs SET share_token = ? WHERE id = ?").run(token, id);
  }

  setDiskBytes(id: string, bytes: number): void {
    this.db.prepare("UPDATE jobs SET disk_bytes = ? WHERE id = ?").run(bytes, id);
  }

  /** Hides the job at once (every visitor-facing query skips it); the sweeper removes its files, then the row. */
  markDeleting(id: string): void {
    this.db.prepare("UPDATE jobs SET deleting = 1, share_token = NULL WHERE id = ?").run(id);
  }

  /** How many queued jobs of the same mode are ahead of this one. */
  queuePosition(row: Pick<JobRow, "mode" | "seq">): number {
    const r = this.db
      .prepare<[JobMode, number], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND mode = ? AND seq < ?")
      .get(row.mode, row.seq);
    return r?.n ?? 0;
  }

  /**
   * Atomically takes the oldest queued job of a mode and marks it running (FIFO per mode); undefined
   * when none is queued.
   */
  claimNext(mode: JobMode, now: string): JobRow | undefined {
    return this.db.transaction(() => {
      const row = this.db.prepare<[JobMode], JobRow>("SELECT * FROM jobs WHERE status = 'queued' AND deleting = 0 AND mode = ? ORDER BY seq LIMIT 1").get(mode);
      if (!row) return undefined;
      this.db
        .prepare("UPDATE jobs SET status = 'running', started_at = ?, attempts = attempts + 1, error = NULL, progress_json = NULL WHERE id = ?")
        .run(now, row.id);
      return this.get(row.id);
    })();
  }

  updateProgress(id: string, progress: JobProgress, previewWritten: boolean): void {
    this.db
      .prepare("UPDATE jobs SET progress_json = ?, preview_version = preview_version + ? WHERE id = ? AND status = 'running'")
      .run(JSON.stringify(progress), previewWritten ? 1 : 0, id);
  }

  /**
   * Ends a job. Only a job that is not terminal yet changes (a running job cancelled by the user stays
   * cancelled when its worker reports back); returns whether it changed. A job that ends without a
   * result stops offering its preview here, before the file is deleted (JobQueue), so a crash in
   * between leaves only an orphan file, which start-up removes.
   */
  finish(id: string, status: Extract<JobStatus, "succeeded" | "failed" | "cancelled">, now: string, error: string | null, hasResult: boolean): boolean {
    const r = this.db
      .prepare(
        "UPDATE jobs SET status = ?, finished_at = ?, error = ?, has_result = ?, preview_version = CASE WHEN ? THEN preview_version ELSE 0 END WHERE id = ? AND status IN ('queued', 'running')",
      )
      .run(status, now, error, hasResult ? 1 : 0, hasResult ? 1 : 0, id);
    return r.changes > 0;
  }

  /**
   * At start: nothing is running yet, so every 'running' row was interrupted. Re-queue it (it keeps
   * its place: FIFO is by seq) unless it already had MAX_ATTEMPTS starts, then fail it with a reason.
   */
  recoverInterrupted(now: string): RecoveryOutcome {
    return this.db.transaction(() => {
      const rows = this.db.prepare<[], Pick<JobRow, "id" | "attempts">>("SELECT id, attempts FROM jobs WHERE status = 'running' ORDER BY seq").all();
      const outcome: RecoveryOutcome = { requeued: [], failed: [] };
      for (const row of rows) {
        if (row.attempts < MAX_ATTEMPTS) {
          this.db.prepare("UPDATE jobs SET status = 'queued', started_at = NULL, progress_json = NULL WHERE id = ?").run(row.id);
          outcome.requeued.push(row.id);
        } else {
          this.db.prepare("UPDATE jobs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?").run(now, RESTART_FAILURE, row.id);
          outcome.failed.push(row.id);
        }
      }
      return outcome;
    })();
  }
}
