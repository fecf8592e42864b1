/**
 * A web server's queue in cluster mode: new jobs and cancels go to pg-boss and out by NOTIFY
 * (ClusterQueue); NOTIFY messages from every machine come back in as this server's JobEvents, so an
 * SSE stream here follows a job a worker on any machine runs. With `workers > 0` the server also
 * runs jobs itself (a ClusterWorker like `pnpm worker`'s); by default it runs none.
 */
import type PgBoss from "pg-boss";
import type pg from "pg";
import type { JobMode, JobProgress } from "../../../shared/jobSchemas";
import { TERMINAL_STATUSES } from "../../../shared/constants";
import type { Repository } from "../../db/repository/repository";
import type { BlobStore } from "../../storage/blobs/blobStore";
import type { JobEvents } from "../jobEvents";
import type { RunnerFactory } from "../runner";
import type { JobScheduler } from "../scheduler";
import { startBoss } from "./boss";
import { ClusterQueue } from "./clusterQueue";
import { ClusterWorker } from "./clusterWorker";
import { JobListener } from "./notifications";

export interface ClusterSchedulerDeps {
  url: string;
  pool: pg.Pool;
  repo: Repository;
  blobs: BlobStore;
  events: JobEvents;
  /** Jobs this server runs itself, per lane (0: none). */
  workers: number;
  runnerFactory: RunnerFactory;
  expireSeconds: Record<JobMode, number>;
  previewEvery: number;
  maxInputPixels: number;
  workDir: string;
  /** Seconds between pg-boss's maintenance runs (expiry checks). */
  maintenanceSeconds?: number;
  log: (message: string) => void;
}

export class ClusterScheduler implements JobScheduler {
  /** Jobs submitted here and not seen ended yet (for `settled`). */
  private readonly submitted = new Set<string>();

  private constructor(
    private readonly deps: ClusterSchedulerDeps,
    private readonly boss: PgBoss,
    private readonly queue: ClusterQueue,
    private readonly listener: JobListener,
    private readonly worker: ClusterWorker | undefined,
  ) {}

  static async start(deps: ClusterSchedulerDeps): Promise<ClusterScheduler> {
    const { events } = deps;
    const listener = new JobListener(
      deps.url,
      (m) => {
        if (m.t === "job") events.jobChanged(m.id);
        else if (m.t === "lane") events.laneChanged(m.mode);
      },
      // Messages sent while the channel was down are lost: every open stream re-reads its job.
      () => {
        events.everythingChanged();
      },
      deps.log,
    );
    await listener.start();
    let boss: PgBoss | undefined;
    try {
      boss = await startBoss(deps.url, { expireSeconds: deps.expireSeconds, maintenanceSeconds: deps.maintenanceSeconds ?? 30 }, deps.log);
      const worker =
        deps.workers > 0
          ? await ClusterWorker.start({
              url: deps.url,
              boss,
              pool: deps.pool,
              repo: deps.repo,
              blobs: deps.blobs,
              runnerFactory: deps.runnerFactory,
              lanes: ["fast", "quality"],
              concurrency: deps.workers,
              previewEvery: deps.previewEvery,
              maxInputPixels: deps.maxInputPixels,
              workDir: deps.workDir,
              log: deps.log,
              expireSeconds: deps.expireSeconds,
            })
          : undefined;
      return new ClusterScheduler(deps, boss, new ClusterQueue(boss, deps.repo, deps.blobs, deps.pool), listener, worker);
    } catch (e) {
      await listener.close();
      await boss?.stop({ graceful: false, close: true }).catch(() => undefined);
      throw e;
    }
  }

  async submit(id: string, mode: JobMode): Promise<void> {
    this.submitted.add(id);
    await this.queue.enqueue(id, mode);
  }

  cancel(id: string): Promise<boolean> {
    return this.queue.cancel(id);
  }

  liveProgress(): JobProgress | undefined {
    // Progress reaches the row (every 500 ms and with each preview) before its NOTIFY: the row is fresh.
    return undefined;
  }

  get backend(): string | null {
    return this.worker?.backend ?? null;
  }

  isActive(id: string): boolean {
    return this.worker?.active.includes(id) ?? false;
  }

  async settled(): Promise<void> {
    for (;;) {
      for (const id of this.submitted) {
        const row = await this.deps.repo.jobs.get(id);
        if (!row || TERMINAL_STATUSES.includes(row.status)) this.submitted.delete(id);
      }
      if (this.submitted.size === 0 && (this.worker?.active.length ?? 0) === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    // Not graceful: jobs running here are failed in pg-boss now, so other workers retry them at once.
    await this.boss.stop({ graceful: false, close: true, wait: true }).catch(() => undefined);
    await this.worker?.close();
    await this.listener.close();
  }
}
