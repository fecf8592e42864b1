/**
 * `bench:web`: the web app's throughput and latency, embedded vs cluster mode, in one run.
 *  - Fast-job throughput with 1 and 2 workers: JOBS real Fast jobs (SIZE px, the real weights)
 *    submitted at once through the router; jobs per minute from the first submit to the last end.
 *  - API latency while jobs run: CLIENTS concurrent clients, each sending `jobs.list` requests one
 *    after another through the tRPC handler (the same code `next start` runs, without the socket)
 *    while a batch of Fast jobs runs; median and p99.
 * Embedded: SQLite + data dir + JobQueue; cluster: a throwaway PostgreSQL, the server running its
 * jobs itself (PASTICHE_WORKERS=N, the same ClusterWorker as `pnpm worker`). Prints a table and the
 * machine's load average, for docs/benchmarks.md.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { modelsDir, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { expect, it } from "vitest";
import type { PasticheApp } from "../src/server/app.js";
import { createPasticheApp } from "../src/server/app.js";
import { defaultWorkerScript } from "../src/server/appRoot.js";
import { handleTrpc } from "../src/server/http/trpcHandler.js";
import { WorkerProcessRunner } from "../src/server/queue/workerPool.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../test/support/postgres.js";
import { callerFor, MIGRATIONS_DIR, tempDir, testConfig, until, uploadForm, visitorHeaders } from "../test/server/helpers.js";

const JOBS = Number(process.env.BENCH_WEB_JOBS ?? 12);
const SIZE = Number(process.env.BENCH_WEB_SIZE ?? 128);
const CLIENTS = Number(process.env.BENCH_WEB_CLIENTS ?? 200);
const REQUESTS_PER_CLIENT = Number(process.env.BENCH_WEB_REQUESTS ?? 10);
const IMAGES = sharedImagesDir();

type Mode = "embedded" | "cluster";

async function openBenchApp(mode: Mode, workers: number, dataDir: string, cluster: ThrowawayPostgres | undefined, db: string): Promise<PasticheApp> {
  const models = modelsDir()!;
  const config = testConfig(dataDir, { modelsDir: models, concurrency: { fast: workers, quality: 1 }, rateLimitPerMinute: 100_000 });
  const databaseUrl = mode === "cluster" ? await cluster!.database(db) : undefined;
  return createPasticheApp(
    { ...config, databaseUrl, workers },
    {
      migrationsDir: mode === "embedded" ? MIGRATIONS_DIR : undefined,
      log: () => undefined,
      runnerFactory: () => new WorkerProcessRunner({ script: defaultWorkerScript(), env: { PASTICHE_MODELS_DIR: models } }),
    },
  );
}

async function submit(app: PasticheApp, content: string, style: string, n: number): Promise<string[]> {
  const alice = callerFor(app);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await alice.jobs.create({ mode: "fast", contentId: content, styleIds: [style], options: { size: SIZE } })).id);
  return ids;
}

async function allEnded(app: PasticheApp, ids: string[]): Promise<void> {
  await until(
    "the jobs to end",
    async () => {
      for (const id of ids) {
        const row = await app.repo.jobs.get(id);
        if (row?.status !== "succeeded") {
          if (row?.status === "failed") throw new Error(`job failed: ${row.error}`);
          return false;
        }
      }
      return true;
    },
    900_000,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row {
  mode: Mode;
  workers: number;
  jobsPerMinute: number;
  medianMs: number;
  p99Ms: number;
}

async function measure(mode: Mode, workers: number, cluster: ThrowawayPostgres | undefined): Promise<Row> {
  const data = tempDir("pastiche-bench-web-");
  const app = await openBenchApp(mode, workers, data.dir, cluster, `bench_${mode}_${workers}`);
  try {
    const alice = callerFor(app);
    const content = (await alice.images.upload(uploadForm(readFileSync(path.join(IMAGES!, "content", "sailboat.jpg")), "content", "c.jpg"))).id;
    const style = (await alice.images.upload(uploadForm(readFileSync(path.join(IMAGES!, "style", "starry_night.jpg")), "style", "s.jpg"))).id;
    // Warm-up: every worker process started with its models loaded.
    await allEnded(app, await submit(app, content, style, workers));
    const started = performance.now();
    const ids = await submit(app, content, style, JOBS);
    await allEnded(app, ids);
    const jobsPerMinute = (JOBS * 60_000) / (performance.now() - started);
    // Latency while a batch runs.
    const running = submit(app, content, style, JOBS).then((more) => allEnded(app, more));
    const url = `http://localhost/api/trpc/jobs.list?input=${encodeURIComponent(JSON.stringify({ limit: 20 }))}`;
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const headers = visitorHeaders(`client-${c % 20}`, `198.51.100.${(c % 250) + 1}`);
        for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
          const t = performance.now();
          const res = await handleTrpc(new Request(url, { headers }), app);
          await res.arrayBuffer();
          latencies.push(performance.now() - t);
          expect(res.status).toBe(200);
        }
      }),
    );
    await running;
    latencies.sort((a, b) => a - b);
    return { mode, workers, jobsPerMinute, medianMs: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    await app.close();
    data.remove();
  }
}

it("bench:web — Fast throughput (1 vs 2 workers) and API latency under load, embedded vs cluster", async () => {
  if (!modelsDir() || !IMAGES) throw new Error("bench:web needs the model files (PASTICHE_MODELS_DIR) and ../shared/images");
  const load = os.loadavg()[0]!;
  const cluster = await startThrowawayPostgres();
  const rows: Row[] = [];
  try {
    for (const mode of ["embedded", "cluster"] as const) for (const workers of [1, 2]) rows.push(await measure(mode, workers, cluster));
  } finally {
    cluster.remove();
  }
  const lines = [
    `bench:web — ${JOBS} Fast jobs at ${SIZE} px per measurement; ${CLIENTS} clients × ${REQUESTS_PER_CLIENT} jobs.list while ${JOBS} more run`,
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${load.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`,
    "| mode | workers | Fast jobs / minute | API median | API p99 |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.mode} | ${r.workers} | ${r.jobsPerMinute.toFixed(1)} | ${r.medianMs.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms |`),
  ];
  for (const [mode, label] of [
    ["embedded", "embedded"],
    ["cluster", "cluster"],
  ] as const) {
    const [one, two] = [1, 2].map((w) => rows.find((r) => r.mode === mode && r.workers === w)!);
    lines.push(`${label}: 2 workers / 1 worker = ${(two!.jobsPerMinute / one!.jobsPerMinute).toFixed(2)}×`);
  }
  process.stdout.write(`\n${lines.join("\n")}\n`);
  expect(rows.every((r) => r.jobsPerMinute > 0)).toBe(true);
});
