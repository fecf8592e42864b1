/**
 * The server's services, wired together: database, data directory, upload store, job queue with its
 * worker processes, rate limiter. Created once per process (see singleton.ts); tests create their own
 * with a temp data dir and a fake runner.
 */
import type Database from "better-sqlite3";
import { openDatabase } from "./db/open";
import { JobsRepo, type RecoveryOutcome } from "./db/jobsRepo";
import { UploadsRepo } from "./db/uploadsRepo";
import type { ServerConfig } from "./limits/config";
import { RateLimiter } from "./limits/rateLimit";
import { JobEvents } from "./queue/jobEvents";
import { JobQueue } from "./queue/jobQueue";
import type { RunnerFactory } from "./queue/runner";
import { WorkerProcessRunner } from "./queue/workerPool";
import { defaultWorkerScript } from "./appRoot";
import { dataPaths, type DataPaths } from "./storage/dataDir";
import { lockDataDir } from "./storage/dataDirLock";
import { importExampleStyles } from "./storage/examples";
import { Sweeper } from "./storage/sweeper";

export interface PasticheApp {
  readonly config: ServerConfig;
  readonly db: Database.Database;
  readonly paths: DataPaths;
  readonly jobs: JobsRepo;
  readonly uploads: UploadsRepo;
  readonly events: JobEvents;
  readonly queue: JobQueue;
  /** Jobs created, per visitor and per client address. */
  readonly jobLimiter: RateLimiter;
  /** Uploads sent, per visitor and per client address. */
  readonly uploadLimiter: RateLimiter;
  /** Upload bytes sent, per visitor and per client address. */
  readonly uploadBytesLimiter: RateLimiter;
  readonly sweeper: Sweeper;
  /** What start-up recovery did with jobs left 'running' by the previous process. */
  readonly recovery: RecoveryOutcome;
  /** Resolves when the example styles are imported. */
  readonly examplesReady: Promise<void>;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  /** Default: a worker process per lane slot. */
  runnerFactory?: RunnerFactory;
  migrationsDir?: string;
  log?: (message: string) => void;
}

export function createPasticheApp(config: ServerConfig, options: CreateAppOptions = {}): PasticheApp {
  const log =
    options.log ??
    ((m: string) => {
      console.error(`pastiche web: ${m}`);
    });
  const paths = dataPaths(config.dataDir);
  const unlock = lockDataDir(paths.root);
  let db: Database.Database;
  try {
    db = openDatabase(paths.database, options.migrationsDir);
  } catch (e) {
    unlock();
    throw e;
  }
  const jobs = new JobsRepo(db);
  const uploads = new UploadsRepo(db);
  const events = new JobEvents();
  const runnerFactory: RunnerFactory =
    options.runnerFactory ??
    (() => new WorkerProcessRunner({ script: defaultWorkerScript(), env: config.modelsDir !== undefined ? { PASTICHE_MODELS_DIR: config.modelsDir } : {} }));
  // Before the queue starts: nothing of ours runs yet, so 'running' rows are from a previous process.
  const recovery = jobs.recoverInterrupted(new Date().toISOString());
  if (recovery.requeued.length + recovery.failed.length > 0) {
    log(`after a restart: re-queued ${recovery.requeued.length} interrupted job(s), failed ${recovery.failed.length}`);
  }
  const jobLimiter = new RateLimiter(db, "job", config.rateLimitPerMinute);
  const uploadLimiter = new RateLimiter(db, "upload", config.uploadRateLimitPerMinute);
  const uploadBytesLimiter = new RateLimiter(db, "upload-bytes", config.uploadBytesPerMinute);
  // The queue is created below (it needs the sweeper); until then no job is active.
  const started: { queue?: JobQueue } = {};
  const sweeper = new Sweeper({
    db,
    paths,
    retentionMs: config.retentionMs,
    isActive: (id) => started.queue?.isActive(id) ?? false,
    onSweep: () => {
      jobLimiter.prune();
      uploadLimiter.prune();
      uploadBytesLimiter.prune();
    },
    log,
  });
  // Before any worker or import writes a file: finish interrupted deletions, drop orphan files.
  sweeper.reconcile();
  const queue = new JobQueue({
    jobs,
    paths,
    events,
    runnerFactory,
    concurrency: config.concurrency,
    previewEvery: config.previewEvery,
    maxInputPixels: config.limits.maxInputPixels,
    log,
    // A job deleted while it ran: its files go now that the worker has stopped writing them.
    afterRun: (id) => {
      if (jobs.get(id)?.deleting) sweeper.purge();
    },
  });
  started.queue = queue;
  const examplesReady = config.exampleStylesDir
    ? importExampleStyles(config.exampleStylesDir, { paths, uploads, limits: config.limits }, log).catch((e: unknown) => {
        log(`example styles not loaded: ${e instanceof Error ? e.message : String(e)}`);
      })
    : Promise.resolve();
  queue.kick();
  sweeper.sweep();
  sweeper.start();
  return {
    config,
    db,
    paths,
    jobs,
    uploads,
    events,
    queue,
    jobLimiter,
    uploadLimiter,
    uploadBytesLimiter,
    sweeper,
    recovery,
    examplesReady,
    async close() {
      sweeper.stop();
      await queue.close();
      db.close();
      unlock();
    },
  };
}
