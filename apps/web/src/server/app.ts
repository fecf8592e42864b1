/**
 * The server's services, wired together: repository, blob store, job queue, rate limiters, sweeper.
 * Two modes behind the same interface:
 *  - embedded (the default): SQLite and the data directory, worker processes beside the server;
 *  - cluster (PASTICHE_DATABASE_URL=postgres://…): PostgreSQL holds rows, images and the queue
 *    (pg-boss), so any number of web servers and `pnpm worker` machines share them.
 * Created once per process (see singleton.ts); tests create their own with a fake runner.
 */
import { tmpdir } from "node:os";
import path from "node:path";
import type Database from "better-sqlite3";
import { openDatabase } from "./db/open";
import { postgresPool, postgresRepository } from "./db/repository/postgres";
import type { Repository } from "./db/repository/repository";
import type { RecoveryOutcome } from "./db/repository/rows";
import { sqliteRepository } from "./db/repository/sqlite";
import type { ServerConfig } from "./limits/config";
import { RateLimiter } from "./limits/rateLimit";
import { freeDiskBytes } from "./limits/storage";
import { ClusterScheduler } from "./queue/cluster/clusterScheduler";
import { JobEvents } from "./queue/jobEvents";
import { JobQueue } from "./queue/jobQueue";
import type { RunnerFactory } from "./queue/runner";
import type { JobScheduler } from "./queue/scheduler";
import { WorkerProcessRunner } from "./queue/workerPool";
import { defaultWorkerScript } from "./appRoot";
import type { BlobStore } from "./storage/blobs/blobStore";
import { DataDirBlobs } from "./storage/blobs/dataDirBlobs";
import { PostgresBlobs } from "./storage/blobs/postgresBlobs";
import { dataPaths, type DataPaths } from "./storage/dataDir";
import { lockDataDir } from "./storage/dataDirLock";
import { importExampleStyles } from "./storage/examples";
import { Sweeper } from "./storage/sweeper";

export interface PasticheApp {
  readonly mode: "embedded" | "cluster";
  readonly config: ServerConfig;
  readonly repo: Repository;
  readonly blobs: BlobStore;
  readonly events: JobEvents;
  readonly queue: JobScheduler;
  /** Jobs created, per visitor and per client address. */
  readonly jobLimiter: RateLimiter;
  /** Uploads sent, per visitor and per client address. */
  readonly uploadLimiter: RateLimiter;
  /** Upload bytes sent, per visitor and per client address. */
  readonly uploadBytesLimiter: RateLimiter;
  readonly sweeper: Sweeper;
  /** What start-up recovery did with jobs left 'running' by the previous process (cluster mode: the queue recovers, nothing here). */
  readonly recovery: RecoveryOutcome;
  /** Resolves when the example styles are imported. */
  readonly examplesReady: Promise<void>;
  /** Free bytes where this server stores blobs (cluster mode: not this machine's concern, Infinity). */
  freeDiskBytes(): Promise<number>;
  close(): Promise<void>;
}

/** Embedded mode's app, with its SQLite connection and data directory (tests look inside). */
export interface EmbeddedApp extends PasticheApp {
  readonly mode: "embedded";
  readonly db: Database.Database;
  readonly paths: DataPaths;
  readonly queue: JobQueue;
}

export interface CreateAppOptions {
  /** Default: a worker process per lane slot. */
  runnerFactory?: RunnerFactory;
  migrationsDir?: string;
  /** Cluster mode: seconds between the queue's expiry checks (tests make it short). */
  queueMaintenanceSeconds?: number;
  log?: (message: string) => void;
}

function defaultLog(m: string): void {
  console.error(`pastiche web: ${m}`);
}

function defaultRunners(config: ServerConfig): RunnerFactory {
  return () => new WorkerProcessRunner({ script: defaultWorkerScript(), env: config.modelsDir !== undefined ? { PASTICHE_MODELS_DIR: config.modelsDir } : {} });
}

export function createPasticheApp(config: ServerConfig, options: CreateAppOptions = {}): Promise<PasticheApp> {
  return config.databaseUrl !== undefined ? createClusterApp(config, config.databaseUrl, options) : createEmbeddedApp(config, options);
}

/** What both modes build the same way on their repository and blobs. */
function limiters(repo: Repository, config: ServerConfig): Pick<PasticheApp, "jobLimiter" | "uploadLimiter" | "uploadBytesLimiter"> {
  return {
    jobLimiter: new RateLimiter(repo, "job", config.rateLimitPerMinute),
    uploadLimiter: new RateLimiter(repo, "upload", config.uploadRateLimitPerMinute),
    uploadBytesLimiter: new RateLimiter(repo, "upload-bytes", config.uploadBytesPerMinute),
  };
}

function importExamples(config: ServerConfig, repo: Repository, blobs: BlobStore, log: (m: string) => void): Promise<void> {
  return config.exampleStylesDir
    ? importExampleStyles(config.exampleStylesDir, { repo, blobs, limits: config.limits }, log).catch((e: unknown) => {
        log(`example styles not loaded: ${e instanceof Error ? e.message : String(e)}`);
      })
    : Promise.resolve();
}

type Services = Pick<PasticheApp, "config" | "repo" | "blobs" | "events" | "jobLimiter" | "uploadLimiter" | "uploadBytesLimiter" | "sweeper" | "examplesReady">;

/** The last steps of both modes' start: example styles imported in the background, the sweeper's first pass and timer. */
async function startServices(
  config: ServerConfig,
  repo: Repository,
  blobs: BlobStore,
  events: JobEvents,
  limits: Pick<PasticheApp, "jobLimiter" | "uploadLimiter" | "uploadBytesLimiter">,
  sweeper: Sweeper,
  log: (m: string) => void,
): Promise<Services> {
  const examplesReady = importExamples(config, repo, blobs, log);
  await sweeper.sweep();
  sweeper.start();
  return { config, repo, blobs, events, ...limits, sweeper, examplesReady };
}

export async function createEmbeddedApp(config: ServerConfig, options: CreateAppOptions): Promise<EmbeddedApp> {
  const log = options.log ?? defaultLog;
  const paths = dataPaths(config.dataDir);
  const unlock = lockDataDir(paths.root);
  let db: Database.Database;
  try {
    db = openDatabase(paths.database, options.migrationsDir);
  } catch (e) {
    unlock();
    throw e;
  }
  const repo = sqliteRepository(db);
  const blobs = new DataDirBlobs(paths);
  const events = new JobEvents();
  const limits = limiters(repo, config);
  // Before the queue starts: nothing of ours runs yet, so 'running' rows are from a previous process.
  const recovery = await repo.jobs.recoverInterrupted(new Date().toISOString());
  if (recovery.requeued.length + recovery.failed.length > 0) {
    log(`after a restart: re-queued ${recovery.requeued.length} interrupted job(s), failed ${recovery.failed.length}`);
  }
  // The queue is created below (it needs the sweeper); until then no job is active.
  const started: { queue?: JobQueue } = {};
  const sweeper = new Sweeper({
    repo,
    blobs,
    retentionMs: config.retentionMs,
    isActive: (id) => started.queue?.isActive(id) ?? false,
    uploadOrphans: true,
    removeLeftovers: () => blobs.removeLeftovers(),
    onSweep: async () => {
      for (const limiter of Object.values(limits)) await limiter.prune();
    },
    log,
  });
  // Before any worker or import writes a file: finish interrupted deletions, drop orphan files.
  await sweeper.reconcile();
  const queue = new JobQueue({
    repo,
    blobs,
    events,
    runnerFactory: options.runnerFactory ?? defaultRunners(config),
    concurrency: config.concurrency,
    previewEvery: config.previewEvery,
    maxInputPixels: config.limits.maxInputPixels,
    log,
    // A job deleted while it ran: its files go now that the worker has stopped writing them.
    afterRun: async (id) => {
      if ((await repo.jobs.get(id))?.deleting) await sweeper.purge();
    },
  });
  started.queue = queue;
  await queue.kick();
  const services = await startServices(config, repo, blobs, events, limits, sweeper, log);
  const { examplesReady } = services;
  return {
    ...services,
    mode: "embedded",
    db,
    paths,
    queue,
    recovery,
    freeDiskBytes: () => freeDiskBytes(paths.root),
    async close() {
      // The queue stops at once (a run ending from now on stays 'running', for the next start).
      const queueClosed = queue.close();
      await sweeper.stop();
      await queueClosed;
      await examplesReady;
      await repo.close();
      unlock();
    },
  };
}

async function createClusterApp(config: ServerConfig, url: string, options: CreateAppOptions): Promise<PasticheApp> {
  const log = options.log ?? defaultLog;
  // One pool for the rows, the blobs and NOTIFY; pg-boss and the listener keep their own connections.
  const pool = postgresPool(url);
  const repo = await postgresRepository(url, { pool, ...(options.migrationsDir !== undefined ? { migrationsDir: options.migrationsDir } : {}) });
  const blobs = new PostgresBlobs(pool);
  const events = new JobEvents();
  const limits = limiters(repo, config);
  let queue: ClusterScheduler;
  try {
    queue = await ClusterScheduler.start({
      url,
      pool,
      repo,
      blobs,
      events,
      workers: config.workers,
      runnerFactory: options.runnerFactory ?? defaultRunners(config),
      expireSeconds: config.queueExpirySeconds,
      previewEvery: config.previewEvery,
      maxInputPixels: config.limits.maxInputPixels,
      workDir: path.join(tmpdir(), `pastiche-web-${process.pid}`),
      ...(options.queueMaintenanceSeconds !== undefined ? { maintenanceSeconds: options.queueMaintenanceSeconds } : {}),
      log,
    });
  } catch (e) {
    await repo.close();
    throw e;
  }
  const sweeper = new Sweeper({
    repo,
    blobs,
    retentionMs: config.retentionMs,
    // A job deleted while a worker (here or elsewhere) runs it goes at once: that worker removes
    // what it stores after (ClusterWorker.end finds no row).
    isActive: () => false,
    // Another server may be between an upload's blobs and its row right now.
    uploadOrphans: false,
    onSweep: async () => {
      for (const limiter of Object.values(limits)) await limiter.prune();
    },
    log,
  });
  await sweeper.reconcile();
  const services = await startServices(config, repo, blobs, events, limits, sweeper, log);
  const { examplesReady } = services;
  return {
    ...services,
    mode: "cluster",
    queue,
    recovery: { requeued: [], failed: [] },
    freeDiskBytes: () => Promise.resolve(Number.POSITIVE_INFINITY),
    async close() {
      await sweeper.stop();
      await queue.close();
      await examplesReady;
      await repo.close();
    },
  };
}
