/**
 * The cluster's queue: pg-boss (10.x, the last major for Node 20) in its own schema `pgboss`. One
 * queue per lane; a job is retried when its worker stops answering (pg-boss fails an active job
 * whose expiry passed) at most RETRY_LIMIT times, then moved to the dead-letter queue, where a
 * worker marks it failed with the reason. pg-boss 10 has no heartbeat, so the expiry is the
 * longest a job may run (per lane, configurable), and also how long a killed worker's job waits.
 */
import PgBoss from "pg-boss";
import type { JobMode } from "../../../shared/jobSchemas";

export const QUEUE: Record<JobMode, string> = { fast: "pastiche-fast", quality: "pastiche-quality" };
export const ABANDONED_QUEUE = "pastiche-abandoned";
export const RETRY_LIMIT = 2;

export const WORKER_LOST_FAILURE = `The workers running this job stopped ${RETRY_LIMIT + 1} times, so it was stopped; please submit it again.`;

export interface BossOptions {
  /** Seconds a job may stay active before pg-boss takes it as abandoned (per lane). */
  expireSeconds: Record<JobMode, number>;
  /** How often pg-boss's supervisor checks for expired jobs (default 60). */
  maintenanceSeconds?: number;
  maxConnections?: number;
  /** Retries after the first run (default RETRY_LIMIT). */
  retryLimit?: number;
}

export interface QueuedJob {
  jobId: string;
}

export async function startBoss(url: string, options: BossOptions, log: (m: string) => void): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    schema: "pgboss",
    max: options.maxConnections ?? 4,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? 60,
  });
  boss.on("error", (e: Error) => {
    log(`queue: ${e.message}`);
  });
  await boss.start();
  await boss.createQueue(ABANDONED_QUEUE, { name: ABANDONED_QUEUE, retryLimit: 5 });
  for (const mode of ["fast", "quality"] as const) {
    const queue: PgBoss.Queue = {
      name: QUEUE[mode],
      retryLimit: options.retryLimit ?? RETRY_LIMIT,
      retryDelay: 1,
      expireInSeconds: options.expireSeconds[mode],
      deadLetter: ABANDONED_QUEUE,
    };
    // createQueue does nothing when the queue exists (another process made it); the update applies this process's settings.
    await boss.createQueue(QUEUE[mode], queue);
    await boss.updateQueue(QUEUE[mode], queue);
  }
  return boss;
}
