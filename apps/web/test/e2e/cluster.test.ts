/**
 * Cluster mode with separate processes on localhost standing in for machines: one PostgreSQL (a
 * throwaway cluster), two web servers (`next start` with PASTICHE_DATABASE_URL, running no jobs
 * themselves) and three `pnpm worker` processes (dist/worker/cluster.js), real weights at 64 px.
 * One visitor creates jobs through server 1 and lists, follows live (SSE) and downloads them
 * through server 2; another visitor sees none of it on either; a worker killed with SIGKILL in the
 * middle of a Quality job has it finished by another from its checkpoint, with one result;
 * PostgreSQL stopped for 10 s and started again loses nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeNeeding, modelsDir, needs } from "@pastiche/vitest-config/needs";
import pg from "pg";
import sharp from "sharp";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DATABASE_UNAVAILABLE_MESSAGE } from "../../src/server/db/unavailable";
import type { JobView } from "../../src/shared/jobSchemas";
import { until } from "../server/helpers";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/postgres";
import { Jar } from "./jar";
import { startApp, WEB_DIR, type RunningApp } from "./server";

// pg-boss 10 has no heartbeat: a killed worker's job waits this long before another takes it, and
// a run may not take longer (its worker gives it up then). 45 s was too short for a run on a loaded
// CI machine (WASM, two more suites running beside this one): the retries expired too and the job failed.
const QUALITY_EXPIRY_SECONDS = 90;
// The queue's settings, the same for every process (as in a deployment): each process that starts
// writes its expiry into pg-boss's queue row, so a server on the defaults would give jobs 2 hours.
const QUEUE_ENV = {
  PASTICHE_QUALITY_EXPIRY_SECONDS: String(QUALITY_EXPIRY_SECONDS),
  // Short: a Fast job whose end could not be recorded while PostgreSQL was away is retried after it.
  PASTICHE_FAST_EXPIRY_SECONDS: "30",
  PASTICHE_QUEUE_MAINTENANCE_SECONDS: "1",
};

describeNeeding([needs.postgres(), needs.models()], "cluster: 2 web servers and 3 workers on one PostgreSQL", () => {
  let cluster: ThrowawayPostgres;
  let url: string;
  const servers: RunningApp[] = [];
  const workers: { child: ChildProcess; log: string[] }[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), "pastiche-cluster-e2e-"));
  let alice1: Jar;
  let alice2: Jar;
  let bob2: Jar;
  let content: string;
  let style: string;

  function startWorker(): { child: ChildProcess; log: string[] } {
    const child = spawn(process.execPath, ["dist/worker/cluster.js", "--lanes", "fast,quality"], {
      cwd: WEB_DIR,
      env: {
        ...process.env,
        PASTICHE_DATABASE_URL: url,
        PASTICHE_MODELS_DIR: modelsDir()!,
        ...QUEUE_ENV,
        PASTICHE_PREVIEW_EVERY: "2",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const worker = { child, log: [] as string[] };
    child.stderr.on("data", (d: Buffer) => worker.log.push(d.toString()));
    workers.push(worker);
    return worker;
  }

  const said = (): string => workers.map((w, i) => `--- worker ${i}:\n${w.log.join("")}`).join("\n");

  async function job(jar: Jar, id: string): Promise<JobView | undefined> {
    return (await jar.query<JobView>("jobs.get", { id })).data;
  }

  async function ended(jar: Jar, id: string, ms: number): Promise<JobView> {
    return until(
      `job ${id} to end`,
      async () => {
        const j = await job(jar, id).catch(() => undefined);
        return j && ["succeeded", "failed", "cancelled"].includes(j.status) ? j : undefined;
      },
      ms,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${said()}`);
    });
  }

  /** Follows a job over SSE (jobs.onProgress) until it ends; returns the statuses seen, in order. */
  async function follow(jar: Jar, base: string, id: string): Promise<string[]> {
    const res = await fetch(`${base}/api/trpc/jobs.onProgress?input=${encodeURIComponent(JSON.stringify({ id }))}`, {
      headers: { cookie: jar.cookie!, accept: "text/event-stream" },
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const statuses: string[] = [];
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        // Pings and the connection event carry no JSON (an empty data line): only data that is a message counts.
        const data = event
          .split("\n")
          .find((l) => l.startsWith("data:"))
          ?.slice(5)
          .trim();
        if (!data) continue;
        const parsed = JSON.parse(data) as { type?: string; job?: JobView };
        if (parsed.type !== "job" || !parsed.job) continue;
        if (statuses.at(-1) !== parsed.job.status) statuses.push(parsed.job.status);
        if (["succeeded", "failed", "cancelled"].includes(parsed.job.status)) {
          await reader.cancel();
          return statuses;
        }
      }
    }
    return statuses;
  }

  async function rows(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    url = await cluster.database("cluster");
    const env = { PASTICHE_DATABASE_URL: url, PASTICHE_MODELS_DIR: modelsDir()!, PASTICHE_RATE_LIMIT: "1000", ...QUEUE_ENV };
    // One after the other: the first migrates the database (the second would wait on the lock anyway).
    servers.push(await startApp({ ...env, PASTICHE_DATA_DIR: path.join(dataDir, "web1") }));
    servers.push(await startApp({ ...env, PASTICHE_DATA_DIR: path.join(dataDir, "web2") }));
    for (let i = 0; i < 3; i++) startWorker();
    alice1 = new Jar(() => servers[0]!.url);
    alice2 = new Jar(() => servers[1]!.url);
    bob2 = new Jar(() => servers[1]!.url);
    const image = (color: string) =>
      sharp({ create: { width: 80, height: 64, channels: 3, background: color } })
        .png()
        .toBuffer();
    content = (await alice1.upload(await image("#4477aa"), "content")).data!.id;
    // The same visitor on the other server: the cookie, not the server, is who it is.
    alice2.cookie = alice1.cookie;
    style = (await alice2.upload(await image("#aa5522"), "style")).data!.id;
    await bob2.query("system.info", {});
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) w.child.kill("SIGKILL");
    await Promise.all(servers.map((s) => s.stop()));
    cluster?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("a job created on server 1 is listed, followed live and downloaded on server 2; another visitor sees none of it", async () => {
    const created = await alice1.mutate<{ id: string }>("jobs.create", { mode: "fast", contentId: content, styleIds: [style], options: { size: 64 } });
    expect(created.status).toBe(200);
    const id = created.data!.id;
    const listed = await alice2.query<{ items: JobView[] }>("jobs.list", {});
    expect(listed.data!.items.map((j) => j.id)).toEqual([id]);
    const statuses = await follow(alice2, servers[1]!.url, id);
    expect(statuses.at(-1)).toBe("succeeded");
    const result = await alice2.request("GET", `/api/jobs/${id}/result?download=1`);
    expect([result.status, result.headers["content-type"]]).toEqual([200, "image/png"]);
    const meta = await sharp(result.body).metadata();
    expect(Math.max(meta.width, meta.height)).toBe(64);
    // Bob, on either server: as if none of it existed.
    for (const bob of [bob2, Object.assign(new Jar(() => servers[0]!.url), { cookie: bob2.cookie })]) {
      expect((await bob.query<JobView>("jobs.get", { id })).error?.data.code).toBe("NOT_FOUND");
      expect((await bob.query<{ items: JobView[] }>("jobs.list", {})).data!.items).toEqual([]);
      for (const route of [`/api/jobs/${id}/result`, `/api/images/${content}`, `/api/images/${style}?thumb=1`])
        expect((await bob.request("GET", route)).status).toBe(404);
      const used = await bob.mutate("jobs.create", { mode: "fast", contentId: content, styleIds: [style], options: { size: 64 } });
      expect(used.error?.data.code).toBe("NOT_FOUND");
    }
  }, 120_000);

  it("a worker killed with SIGKILL mid-Quality job: another finishes it from its checkpoint, with one result", async () => {
    const created = await alice1.mutate<{ id: string }>("jobs.create", {
      mode: "quality",
      contentId: content,
      styleIds: [style],
      options: { size: 64, iterations: 30 },
    });
    const id = created.data!.id;
    const runner = await until(
      "a worker to take the job",
      () => Promise.resolve(workers.find((w) => w.log.join("").includes(`job ${id}: run 1 started`))),
      120_000,
    );
    // Its first preview on server 2 means its first checkpoint is stored too (the checkpoint goes first).
    await until("the first preview", async () => (await job(alice2, id))?.previewUrl ?? undefined, 120_000);
    runner.child.kill("SIGKILL");
    startWorker();
    const view = await ended(alice2, id, 240_000);
    expect(view.status, `${JSON.stringify(view)}\n${said()}`).toBe("succeeded");
    expect(said()).toMatch(new RegExp(`job ${id}: resuming from its checkpoint at iteration \\d+ of 30`));
    const [row] = await rows("SELECT status, has_result, attempts FROM jobs WHERE id = $1", [id]);
    expect(row).toMatchObject({ status: "succeeded", has_result: 1 });
    expect(Number(row!.attempts)).toBeGreaterThanOrEqual(2);
    expect(await rows("SELECT kind FROM blobs WHERE id = $1 ORDER BY kind", [id])).toEqual([{ kind: "preview" }, { kind: "result" }]);
    expect((await alice2.request("GET", `/api/jobs/${id}/result`)).status).toBe(200);
  }, 300_000);

  it("PostgreSQL stopped for 10 s and started again: a clear 503 meanwhile, nothing lost after", async () => {
    const before = (await alice1.query<{ items: JobView[] }>("jobs.list", {})).data!.items;
    const queued = (await alice2.mutate<{ id: string }>("jobs.create", { mode: "fast", contentId: content, styleIds: [style], options: { size: 64 } })).data!
      .id;
    cluster.stop();
    try {
      for (const jar of [alice1, alice2]) {
        const res = await jar.query("jobs.list", {});
        expect([res.status, res.error?.message]).toEqual([503, DATABASE_UNAVAILABLE_MESSAGE]);
        expect(JSON.stringify(res)).not.toMatch(/stack/);
      }
      const image = await alice2.request("GET", `/api/images/${content}`);
      expect([image.status, image.body.toString()]).toEqual([503, `${DATABASE_UNAVAILABLE_MESSAGE}\n`]);
      await new Promise((r) => setTimeout(r, 10_000));
    } finally {
      cluster.start();
    }
    expect((await ended(alice1, queued, 180_000)).status).toBe("succeeded");
    const after = await alice2.mutate<{ id: string }>("jobs.create", { mode: "fast", contentId: content, styleIds: [style], options: { size: 64 } });
    expect((await ended(alice1, after.data!.id, 120_000)).status).toBe("succeeded");
    const items = (await alice2.query<{ items: JobView[] }>("jobs.list", {})).data!.items;
    expect(items.map((j) => j.id)).toEqual([after.data!.id, queued, ...before.map((j) => j.id)]);
    expect(items.every((j) => j.status === "succeeded")).toBe(true);
  }, 300_000);
});
