/**
 * Deleting stored work: expired by retention, or deleted by its visitor. Never a row without its
 * files, never files without their row, even after a crash at any point:
 *  1. mark the rows `deleting` (one transaction): from then on no visitor-facing query sees them;
 *  2. delete their files;
 *  3. delete the rows (one transaction).
 * A crash after 1 or 2 leaves marked rows, which the next start finishes first; then `reconcile`
 * removes files that have no row (an upload that crashed between its files and its row, a temp
 * file from an interrupted write, the preview of a job that ended without a result).
 * Synchronous on purpose: a pass never interleaves with a request in this process.
 */
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";
import { TERMINAL_STATUSES } from "../../shared/constants";
import type { DataPaths } from "./dataDir";

export interface SweeperDeps {
  db: Database.Database;
  paths: DataPaths;
  retentionMs: number;
  /** Whether a worker is still running the job (its files are removed once it has stopped). */
  isActive: (jobId: string) => boolean;
  /** Extra clean-up on every periodic pass (rate limit buckets). */
  onSweep?: () => void;
  now?: () => number;
  log?: (message: string) => void;
}

export interface PurgeOutcome {
  jobs: number;
  uploads: number;
}

const TERMINAL_SQL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(", ");

/** Jobs (not being deleted) that use the upload `uploads.id`. */
const UPLOAD_IN_USE =
  "SELECT 1 FROM jobs WHERE jobs.deleting = 0 AND (jobs.content_id = uploads.id OR EXISTS (SELECT 1 FROM json_each(jobs.style_ids_json) WHERE value = uploads.id))";

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SweeperDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * Marks what expired: ended jobs made more than the retention ago, then uploads as old that no
   * remaining job uses (an upload lives as long as the jobs made from it). Example styles never expire.
   */
  markExpired(): void {
    const cutoff = new Date(this.now() - this.deps.retentionMs).toISOString();
    const { db } = this.deps;
    db.transaction(() => {
      db.prepare(`UPDATE jobs SET deleting = 1, share_token = NULL WHERE deleting = 0 AND status IN (${TERMINAL_SQL}) AND created_at < ?`).run(cutoff);
      db.prepare(`UPDATE uploads SET deleting = 1 WHERE deleting = 0 AND example_key IS NULL AND created_at < ? AND NOT EXISTS (${UPLOAD_IN_USE})`).run(cutoff);
    })();
  }

  /** Steps 2 and 3 for every marked row whose files can go now. */
  purge(): PurgeOutcome {
    const { db, paths } = this.deps;
    const jobIds = db
      .prepare<[], { id: string }>("SELECT id FROM jobs WHERE deleting = 1")
      .all()
      .map((r) => r.id)
      .filter((id) => !this.deps.isActive(id));
    for (const id of jobIds) {
      rmSync(paths.result(id), { force: true });
      rmSync(paths.preview(id), { force: true });
    }
    const deleteJob = db.prepare("DELETE FROM jobs WHERE id = ? AND deleting = 1");
    db.transaction(() => {
      for (const id of jobIds) deleteJob.run(id);
    })();
    // After the jobs: a marked upload still used by a job (marked or not) keeps its files for now.
    const uploadIds = db
      .prepare<[], { id: string }>(
        "SELECT id FROM uploads WHERE deleting = 1 AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.content_id = uploads.id OR EXISTS (SELECT 1 FROM json_each(jobs.style_ids_json) WHERE value = uploads.id))",
      )
      .all()
      .map((r) => r.id);
    for (const id of uploadIds) {
      rmSync(paths.upload(id), { force: true });
      rmSync(paths.thumbnail(id), { force: true });
    }
    const deleteUpload = db.prepare("DELETE FROM uploads WHERE id = ? AND deleting = 1");
    db.transaction(() => {
      for (const id of uploadIds) deleteUpload.run(id);
    })();
    return { jobs: jobIds.length, uploads: uploadIds.length };
  }

  /** One periodic pass. */
  sweep(): PurgeOutcome {
    this.markExpired();
    const outcome = this.purge();
    this.deps.onSweep?.();
    if (outcome.jobs + outcome.uploads > 0) this.deps.log?.(`retention: deleted ${outcome.jobs} job(s) and ${outcome.uploads} upload(s) with their files`);
    return outcome;
  }

  /**
   * At start-up, before any job runs: finishes deletions a crash interrupted, then removes every
   * file without a row (and leftovers of interrupted atomic writes). Returns the files removed.
   */
  reconcile(): number {
    this.purge();
    const { db, paths } = this.deps;
    const uploads = new Set(
      db
        .prepare<[], { id: string }>("SELECT id FROM uploads")
        .all()
        .map((r) => r.id),
    );
    const jobs = new Map(
      db
        .prepare<[], { id: string; status: string; has_result: number }>("SELECT id, status, has_result FROM jobs")
        .all()
        .map((r) => [r.id, r]),
    );
    // A job that ended without a result keeps neither a result nor a preview.
    const keepsJobFile = (id: string): boolean => {
      const job = jobs.get(id);
      return job !== undefined && !(TERMINAL_STATUSES.includes(job.status as never) && job.has_result === 0);
    };
    const rules: [dir: string, suffix: string, keep: (id: string) => boolean][] = [
      [paths.dirs.uploads, "", (id) => uploads.has(id)],
      [paths.dirs.thumbnails, ".jpg", (id) => uploads.has(id)],
      [paths.dirs.results, ".png", keepsJobFile],
      [paths.dirs.previews, ".jpg", keepsJobFile],
    ];
    let removed = 0;
    for (const [dir, suffix, keep] of rules) {
      for (const name of readdirSync(dir)) {
        const id = suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
        if (!name.includes(".tmp-") && keep(id)) continue;
        rmSync(path.join(dir, name), { force: true, recursive: true });
        removed++;
      }
    }
    if (removed > 0) this.deps.log?.(`start-up: removed ${removed} file(s) without a database row`);
    return removed;
  }

  /** Sweeps every quarter of the retention (between 1 s and 10 min), in the background. */
  start(): void {
    const every = Math.min(600_000, Math.max(1000, Math.round(this.deps.retentionMs / 4)));
    this.timer = setInterval(() => {
      try {
        this.sweep();
      } catch (e) {
        this.deps.log?.(`retention sweep failed (retried at the next pass): ${e instanceof Error ? e.message : String(e)}`);
      }
    }, every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
