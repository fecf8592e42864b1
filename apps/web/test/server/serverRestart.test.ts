/**
 * The issue's acceptance, on the production server (`next start` of the build turbo makes before
 * `test`): kill the server (and its worker) in the middle of a Quality job, start it again, and the
 * job is re-queued — or, the second time, failed with a reason — while finished results stay
 * downloadable. Exercises the instrumentation hook (recovery runs at start, before any request).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, expect, it } from "vitest";
import type { JobView, UploadedImage } from "../../src/shared/jobSchemas";
import { RESTART_FAILURE } from "../../src/server/db/repository/rows";
import { tempDir } from "./helpers";

const WEB_DIR = path.resolve(import.meta.dirname, "../..");
const SHARED = path.resolve(WEB_DIR, "../../../shared");
const MODELS_DIR = process.env.PASTICHE_MODELS_DIR ? path.resolve(process.env.PASTICHE_MODELS_DIR) : path.join(SHARED, "models");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

interface Server {
  url: string;
  child: ChildProcess;
  log: () => string;
}

const started: ChildProcess[] = [];

async function startServer(dataDir: string): Promise<Server> {
  if (!existsSync(path.join(WEB_DIR, ".next", "BUILD_ID"))) throw new Error("apps/web has no production build: run `pnpm --filter @pastiche/web build` first");
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(WEB_DIR, "node_modules/next/dist/bin/next"), "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: WEB_DIR,
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PASTICHE_DATA_DIR: dataDir, PASTICHE_MODELS_DIR: MODELS_DIR },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: killing the group kills the server and its workers at once, like a crash.
    detached: true,
  });
  started.push(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`next start did not answer:\n${output}`);
    const ok = await fetch(`${url}/api/trpc/system.info`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, log: () => output };
}

async function kill(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  process.kill(-server.child.pid!, "SIGKILL");
  await exited;
}

afterAll(() => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
});

/** One visitor throughout (the server scopes everything to the visitor cookie it sets first). */
let cookie: string | undefined;

async function get(server: Server, path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie !== undefined ? { cookie } : {}) },
  });
  cookie ??= res.headers.get("set-cookie")?.split(";")[0];
  return res;
}

async function trpc<T>(server: Server, proc: string, input?: unknown, body?: FormData): Promise<T> {
  const res =
    body !== undefined
      ? await get(server, `/api/trpc/${proc}`, { method: "POST", body })
      : input !== undefined && proc.startsWith("jobs.create")
        ? await get(server, `/api/trpc/${proc}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })
        : await get(server, `/api/trpc/${proc}${input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ""}`);
  const json = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!json.result) throw new Error(`${proc}: ${json.error?.message ?? res.status}`);
  return json.result.data;
}

async function upload(server: Server, file: string, role: "content" | "style"): Promise<string> {
  const form = new FormData();
  form.set("file", new File([readFileSync(file)], path.basename(file)));
  form.set("role", role);
  return (await trpc<UploadedImage>(server, "images.upload", undefined, form)).id;
}

async function pollJob(server: Server, id: string, until: (job: JobView) => boolean, what: string): Promise<JobView> {
  let job: JobView | undefined;
  const deadline = Date.now() + 120_000;
  for (;;) {
    job = await trpc<JobView>(server, "jobs.get", { id });
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; job is ${JSON.stringify(job)}\n${server.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describeNeeding([needs.models(), needs.sharedImages()], "killing the production server during a Quality job", () => {
  it("re-queues the job once, then fails it with a reason; finished results stay downloadable", async () => {
    const { dir, remove } = tempDir();
    try {
      let server = await startServer(dir);
      const content = await upload(server, path.join(SHARED, "images/content/sailboat.jpg"), "content");
      const style = await upload(server, path.join(SHARED, "images/style/the_great_wave.jpg"), "style");
      const fast = (await trpc<{ id: string }>(server, "jobs.create", { mode: "fast", contentId: content, styleIds: [style], options: { size: 64 } })).id;
      await pollJob(server, fast, (j) => j.status === "succeeded", "the Fast job");
      const quality = (
        await trpc<{ id: string }>(server, "jobs.create", { mode: "quality", contentId: content, styleIds: [style], options: { size: 64, iterations: 1000 } })
      ).id;
      const firstRun = await pollJob(server, quality, (j) => (j.progress?.iteration ?? 0) >= 1, "the Quality job to iterate");

      await kill(server);
      server = await startServer(dir);
      // Recovered at start: re-queued, and (nothing else queued) started again.
      const secondRun = await pollJob(
        server,
        quality,
        (j) => j.status === "running" && j.startedAt !== firstRun.startedAt && (j.progress?.iteration ?? 0) >= 1,
        "the re-queued job to run",
      );
      expect(secondRun.error).toBeNull();
      expect(server.log()).toMatch(/re-queued 1 interrupted job/);
      const result = await get(server, `/api/jobs/${fast}/result?download=1`);
      expect(result.status).toBe(200);
      expect(result.headers.get("content-disposition")).toMatch(/^attachment/);
      expect(
        Buffer.from(await result.arrayBuffer())
          .subarray(1, 4)
          .toString("latin1"),
      ).toBe("PNG");

      await kill(server);
      server = await startServer(dir);
      const failed = await trpc<JobView>(server, "jobs.get", { id: quality });
      expect(failed).toMatchObject({ status: "failed", error: RESTART_FAILURE });
      expect(failed.finishedAt).not.toBeNull();
      const history = await trpc<{ items: JobView[] }>(server, "jobs.list", {});
      expect(history.items.map((j) => [j.id, j.status])).toEqual([
        [quality, "failed"],
        [fast, "succeeded"],
      ]);
      expect((await get(server, `/api/jobs/${fast}/result`)).status).toBe(200);
      await kill(server);
    } finally {
      remove();
    }
  });
});
