/**
 * `pnpm worker`: a cluster worker machine. Connects to PASTICHE_DATABASE_URL, takes jobs of its
 * lanes from the queue (pg-boss) and runs each in a worker process (main.ts, the same pipelines as
 * the CLI and the embedded server), `--concurrency` at once per lane.
 *   pnpm worker [--lanes fast,quality] [--concurrency 1]
 * SIGTERM/SIGINT: stops taking jobs; the ones running are handed back to the queue at once.
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_HOSTED_LIMITS, JOB_MODES, type JobMode } from "../shared/constants.ts";
import { postgresPool, postgresRepository } from "../server/db/repository/postgres.ts";
import { startBoss } from "../server/queue/cluster/boss.ts";
import { ClusterWorker } from "../server/queue/cluster/clusterWorker.ts";
import { WorkerProcessRunner } from "../server/queue/workerPool.ts";
import { defaultWorkerScript } from "../server/appRoot.ts";
import { PostgresBlobs } from "../server/storage/blobs/postgresBlobs.ts";

function fail(message: string): never {
  process.stderr.write(`pastiche worker: ${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
  return n;
}

const { values } = (() => {
  try {
    return parseArgs({ options: { lanes: { type: "string", default: "fast,quality" }, concurrency: { type: "string", default: "1" } }, strict: true });
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)}; usage: pnpm worker [--lanes fast,quality] [--concurrency N]`);
  }
})();

const lanes = values.lanes.split(",").map((l) => l.trim());
const unknown = lanes.find((l) => !(JOB_MODES as readonly string[]).includes(l));
if (unknown !== undefined || lanes.length === 0) fail(`--lanes takes fast, quality or both (comma-separated), got ${JSON.stringify(values.lanes)}`);
const concurrency = positiveInt("--concurrency", values.concurrency, 1);

const env = process.env;
const url = env.PASTICHE_DATABASE_URL?.trim();
if (!url || !/^postgres(ql)?:\/\//.test(url)) fail("set PASTICHE_DATABASE_URL=postgres://… (the cluster's database)");

const log = (m: string): void => {
  process.stderr.write(`pastiche worker: ${m}\n`);
};

const repo = await postgresRepository(url);
const pool = postgresPool(url);
// pg-boss 10 has no heartbeat: a job is given to another worker when it ran this long.
const expireSeconds = {
  fast: positiveInt("PASTICHE_FAST_EXPIRY_SECONDS", env.PASTICHE_FAST_EXPIRY_SECONDS, 600),
  quality: positiveInt("PASTICHE_QUALITY_EXPIRY_SECONDS", env.PASTICHE_QUALITY_EXPIRY_SECONDS, 7200),
};
const boss = await startBoss(
  url,
  {
    expireSeconds,
    maintenanceSeconds: positiveInt("PASTICHE_QUEUE_MAINTENANCE_SECONDS", env.PASTICHE_QUEUE_MAINTENANCE_SECONDS, 30),
  },
  log,
);
const childEnv: Record<string, string> = env.PASTICHE_MODELS_DIR ? { PASTICHE_MODELS_DIR: env.PASTICHE_MODELS_DIR } : {};
const worker = await ClusterWorker.start({
  url,
  boss,
  pool,
  repo,
  blobs: new PostgresBlobs(pool),
  runnerFactory: () => new WorkerProcessRunner({ script: defaultWorkerScript(), env: childEnv }),
  lanes: lanes as JobMode[],
  concurrency,
  previewEvery: positiveInt("PASTICHE_PREVIEW_EVERY", env.PASTICHE_PREVIEW_EVERY, 5),
  maxInputPixels: positiveInt("PASTICHE_MAX_INPUT_PIXELS", env.PASTICHE_MAX_INPUT_PIXELS, DEFAULT_HOSTED_LIMITS.maxInputPixels),
  workDir: path.join(env.PASTICHE_WORK_DIR ?? tmpdir(), `pastiche-worker-${process.pid}`),
  log,
  expireSeconds,
  pollSeconds: 1,
});
log(`ready: lanes ${lanes.join(", ")}, ${concurrency} at once per lane`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  log("stopping; running jobs go back to the queue");
  void (async () => {
    // Not graceful: pg-boss fails the active jobs now, so other workers retry them at once.
    await boss.stop({ graceful: false, close: true, wait: true }).catch(() => undefined);
    await worker.close();
    await pool.end();
    await repo.close();
  })().finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
