/** The web server's side of the cluster queue: hands new jobs to pg-boss, cancels across machines. */
import type PgBoss from "pg-boss";
import type pg from "pg";
import type { JobMode } from "../../../shared/jobSchemas";
import type { Repository } from "../../db/repository/repository";
import type { BlobStore } from "../../storage/blobs/blobStore";
import { CANCELLED_MESSAGE } from "../jobQueue.ts";
import { QUEUE, type QueuedJob } from "./boss.ts";
import { notify } from "./notifications.ts";

export class ClusterQueue {
  constructor(
    private readonly boss: PgBoss,
    private readonly repo: Repository,
    private readonly blobs: BlobStore,
    private readonly pool: pg.Pool,
  ) {}

  /** After the row is inserted: the job reaches a worker of its lane. */
  async enqueue(id: string, mode: JobMode): Promise<void> {
    const data: QueuedJob = { jobId: id };
    // singletonKey: a repeated enqueue of one job (a retried request) queues it once.
    await this.boss.send(QUEUE[mode], data, { singletonKey: id });
    await notify(this.pool, { t: "lane", mode });
  }

  /**
   * Marks the job cancelled at once (the row is the truth: a worker that has not started it skips
   * it) and tells the worker running it to stop. False when the job had already ended.
   */
  async cancel(id: string): Promise<boolean> {
    const row = await this.repo.jobs.get(id);
    if (!row || (row.status !== "queued" && row.status !== "running")) return false;
    const ended = await this.repo.jobs.finish(id, "cancelled", new Date().toISOString(), CANCELLED_MESSAGE, false);
    if (!ended) return false;
    await notify(this.pool, { t: "cancel", id });
    await notify(this.pool, { t: "job", id });
    await notify(this.pool, { t: "lane", mode: row.mode });
    // A queued job never started: no worker will remove a preview, there is none.
    if (row.status === "running") await this.blobs.delete("preview", id).catch(() => undefined);
    return true;
  }
}
