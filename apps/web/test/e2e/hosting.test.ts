/**
 * Safe to host, against the production server (`next start`), as a hostile visitor would try it:
 * two cookie jars (A and B), curl-like requests over plain HTTP. B can reach nothing of A's by any
 * route; a spoofed X-Forwarded-For does not escape the rate limit; 60 MB bodies are refused without
 * the server's memory growing; EXIF GPS does not come back; expired work disappears with its files;
 * the quota holds. Jobs need the real models (../shared/models).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { networkInterfaces, tmpdir } from "node:os";
import { spawn } from "node:child_process";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { JobView, UploadedImage } from "../../src/shared/jobSchemas";
import { hasGps, jpegWithExif, pngBytes } from "../server/helpers";
import { Jar } from "./jar";
import { freePort, startApp, WEB_DIR, type RunningApp } from "./server";

const MODELS_DIR = process.env.PASTICHE_MODELS_DIR ?? path.resolve(WEB_DIR, "../../../shared/models");
const HAVE_MODELS = existsSync(MODELS_DIR);
/** A describe's title, saying why it is skipped when it is. */
const titled = (title: string): string => (HAVE_MODELS ? title : `${title} (skipped: no model files in ${MODELS_DIR}; set PASTICHE_MODELS_DIR)`);
const MB = 1024 * 1024;

/** Resident memory of a process, in bytes. */
function rss(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

/** Streams `total` bytes in 1 MB chunks until the server answers; resolves with its status. */
function bigPost(base: string, route: string, total: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(new URL(route, base), { method: "POST", headers }, (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // The server may close the connection once it has refused the body.
    req.on("error", (e) => {
      if (!answered) reject(e);
    });
    const chunk = Buffer.alloc(MB, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (sent >= total) req.end();
    };
    pump();
  });
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function filesIn(dataDir: string): string[] {
  return ["uploads", "thumbnails", "results", "previews"].flatMap((d) => readdirSync(path.join(dataDir, d)).map((f) => `${d}/${f}`));
}

let work: string;
const apps: RunningApp[] = [];

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "pastiche-hosting-"));
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

async function serve(name: string, env: Record<string, string>): Promise<{ app: RunningApp; dataDir: string }> {
  const dataDir = path.join(work, name);
  mkdirSync(dataDir);
  const app = await startApp({ PASTICHE_DATA_DIR: dataDir, PASTICHE_MODELS_DIR: MODELS_DIR, PASTICHE_PREVIEW_EVERY: "1", ...env });
  apps.push(app);
  return { app, dataDir };
}

describe.skipIf(!HAVE_MODELS)(titled("hosting the production server"), () => {
  let app: RunningApp;
  let a: Jar;
  let b: Jar;
  let content: UploadedImage;
  let style: UploadedImage;
  let fastJob: string;
  let qualityJob: string;

  beforeAll(async () => {
    ({ app } = await serve("main", { PASTICHE_RATE_LIMIT: "4" }));
    a = new Jar(() => app.url);
    b = new Jar(() => app.url);
  });

  test("every visitor gets their own cookie on the first response", async () => {
    const first = await a.request("GET", "/api/trpc/system.info");
    expect(first.headers["set-cookie"]?.[0]).toMatch(/^pastiche_visitor=[A-Za-z0-9_-]{22}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    await b.request("GET", "/");
    expect(b.cookie).toMatch(/^pastiche_visitor=/);
    expect(b.cookie).not.toBe(a.cookie);
    expect((await a.request("GET", "/api/trpc/system.info")).headers["set-cookie"]).toBeUndefined();
  });

  test("visitor B reaches nothing of visitor A's, by any route", async () => {
    content = (await a.upload(await pngBytes(96, 64), "content")).data!;
    style = (await a.upload(await pngBytes(64, 64), "style")).data!;
    fastJob = (await a.mutate<{ id: string }>("jobs.create", { mode: "fast", contentId: content.id, styleIds: [style.id], options: { size: 64 } })).data!.id;
    await until("A's Fast job to succeed", 120_000, async () =>
      (await a.query<JobView>("jobs.get", { id: fastJob })).data?.status === "succeeded" ? true : undefined,
    );
    qualityJob = (
      await a.mutate<{ id: string }>("jobs.create", { mode: "quality", contentId: content.id, styleIds: [style.id], options: { size: 64, iterations: 1000 } })
    ).data!.id;
    const preview = await until(
      "a preview of A's Quality job",
      120_000,
      async () => (await a.query<JobView>("jobs.get", { id: qualityJob })).data?.previewUrl ?? undefined,
    );

    // What A can reach…
    const routes = [content.url, content.thumbnailUrl, `/api/jobs/${fastJob}/result`, `/api/jobs/${fastJob}/result?download=1`, preview];
    for (const route of routes) expect((await a.request("GET", route)).status, route).toBe(200);
    // …B cannot, and the answer is the one for an id that was never issued.
    const nowhere = "N".repeat(22);
    for (const route of routes) {
      const mine = await b.request("GET", route);
      const never = await b.request("GET", route.replace(/[A-Za-z0-9_-]{22}/, nowhere));
      expect([mine.status, mine.body.toString()], route).toEqual([404, never.body.toString()]);
      expect(mine.status).toBe(404);
    }
    expect((await b.query<{ items: JobView[] }>("jobs.list", {})).data?.items).toEqual([]);
    for (const id of [fastJob, qualityJob]) {
      for (const [kind, proc] of [
        ["query", "jobs.get"],
        ["mutate", "jobs.cancel"],
        ["mutate", "jobs.delete"],
        ["mutate", "jobs.publish"],
      ] as const) {
        const res = kind === "query" ? await b.query(proc, { id }) : await b.mutate(proc, { id });
        expect([res.status, res.error?.data.code, res.error?.message], `${proc} ${id}`).toEqual([404, "NOT_FOUND", "There is no job with that id."]);
      }
      const sse = await b.request("GET", `/api/trpc/jobs.onProgress?input=${encodeURIComponent(JSON.stringify({ id }))}`, {
        headers: { accept: "text/event-stream" },
      });
      expect(sse.body.toString()).toMatch(/NOT_FOUND/);
      expect(sse.body.toString()).not.toMatch(/"status"/);
    }
    const imageDelete = await b.mutate("images.delete", { id: content.id });
    expect(imageDelete.error?.message).toBe("There is no image with that id.");
    const reuse = await b.mutate("jobs.create", { mode: "fast", contentId: content.id, styleIds: [style.id], options: { size: 64 } });
    expect([reuse.status, reuse.error?.message]).toEqual([404, "The content image is not on the server any more; please upload it again."]);
    // A's running job was not cancelled by B; A's own stream and cancel work.
    expect((await a.query<JobView>("jobs.get", { id: qualityJob })).data?.status).toBe("running");
    const own = await a.request("GET", `/api/trpc/jobs.onProgress?input=${encodeURIComponent(JSON.stringify({ id: fastJob }))}`, {
      headers: { accept: "text/event-stream" },
    });
    expect(own.body.toString()).toMatch(/"status":"succeeded"/);
    expect((await a.mutate<JobView>("jobs.cancel", { id: qualityJob })).data?.status).toBe("cancelled");
    // The cancelled job's preview is gone (not just hidden).
    await until("the cancelled job's preview to be deleted", 30_000, async () => ((await a.request("GET", preview)).status === 404 ? true : undefined));
  });

  test("a spoofed X-Forwarded-For does not escape the rate limit, nor lock out the address it names", async () => {
    // Mallory connects from 127.0.0.2 and claims, each time, to be someone else (A's 127.0.0.1 too).
    const mallory = new Jar(() => app.url, "127.0.0.2");
    const own = (await mallory.upload(await pngBytes(), "content")).data!;
    const statuses: number[] = [];
    for (const xff of ["1.2.3.4", "::ffff:127.0.0.1", "127.0.0.1", "10.0.0.1, 127.0.0.1", "5.6.7.8", "::ffff:127.0.0.1", "9.9.9.9"]) {
      statuses.push(
        (await mallory.mutate("jobs.create", { mode: "fast", contentId: own.id, styleIds: [own.id], options: { size: 32 } }, { "x-forwarded-for": xff }))
          .status,
      );
    }
    // 4 per minute, whatever the header says.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429]);
    // A, at the address Mallory named, has used 2 of its own 4.
    const c = new Jar(() => app.url);
    const cs = (await c.upload(await pngBytes(), "content")).data!;
    expect((await c.mutate("jobs.create", { mode: "fast", contentId: cs.id, styleIds: [cs.id], options: { size: 32 } })).status).toBe(200);
  });

  test("60 MB POSTs to jobs.create and images%2Eupload are refused with 413 without the server's memory growing", async () => {
    const base = app.url;
    if (a.cookie === undefined) await a.request("GET", "/api/trpc/system.info");
    const before = rss(app.pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rss(app.pid));
    }, 10);
    const results: Record<string, number> = {};
    const growth: string[] = [];
    const increments: number[] = [];
    try {
      for (const route of ["/api/trpc/jobs.create", "/api/trpc/images%2Eupload", "/api/trpc/jobs%2Ecreate"]) {
        const type = route.includes("upload") ? "multipart/form-data; boundary=xyz" : "application/json";
        for (const [how, framing] of [
          ["Content-Length", { "content-length": String(60 * MB) }],
          ["chunked", { "transfer-encoding": "chunked" }],
        ] as const) {
          // Each request's own growth: what is still uncollected from the previous ones is not its doing.
          const start = rss(app.pid);
          peak = start;
          results[`${route} (${how})`] = await bigPost(base, route, 60 * MB, { "content-type": type, ...framing, cookie: a.cookie! });
          const increment = Math.max(peak, rss(app.pid)) - start;
          increments.push(increment);
          growth.push(`${route} ${how}: +${(increment / MB).toFixed(1)} MB (RSS ${(start / MB).toFixed(0)} MB before it)`);
        }
      }
    } finally {
      clearInterval(sampler);
    }
    console.log(`server RSS ${(before / MB).toFixed(0)} MB before six 60 MB POSTs; each one's peak growth:\n  ${growth.join("\n  ")}`);
    expect(Object.values(results)).toEqual([413, 413, 413, 413, 413, 413]);
    // No body held whole: each request grew the server by less than its 60 MB (a chunked upload is
    // read up to the 25 MB upload limit before the 413, and joining its chunks briefly doubles that).
    expect(Math.max(...increments)).toBeLessThan(60 * MB);
    // The server is fine afterwards.
    expect((await a.request("GET", "/api/trpc/system.info")).status).toBe(200);
  });

  test("a JPEG with EXIF GPS comes back without it (and upright)", async () => {
    const original = await jpegWithExif(80, 40);
    expect(await hasGps(original)).toBe(true);
    const up = (await a.upload(original, "content")).data!;
    expect([up.width, up.height]).toEqual([40, 80]);
    const served = (await a.request("GET", up.url)).body;
    const meta = await sharp(served).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif, meta.orientation]).toEqual(["jpeg", 40, 80, undefined, undefined]);
    expect(await hasGps(served)).toBe(false);
    expect(served.includes(Buffer.from("Alice Example"))).toBe(false);
  });

  test("malformed URLs answer 400, and every response says nosniff", async () => {
    for (const route of ["/api/trpc/%ZZ", "/api/images/%ZZ", "/api/jobs/%ZZ/result", "/%ZZ"]) {
      const res = await a.request("GET", route);
      expect(res.status, route).toBe(400);
    }
    for (const route of ["/api/trpc/system.info", content.url, "/api/nothing", "/"]) {
      const res = await a.request("GET", route);
      expect(res.headers["x-content-type-options"], route).toBe("nosniff");
      expect(res.headers["content-security-policy"], route).toMatch(/default-src '(none|self)'/);
    }
  });

  test("a GET batching 300 jobs.list calls is refused", async () => {
    const names = Array.from({ length: 300 }, () => "jobs.list").join(",");
    const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [i, {}]))));
    const res = await a.request("GET", `/api/trpc/${names}?batch=1&input=${input}`);
    expect(res.status).toBe(400);
    expect(res.body.toString()).toMatch(/Batch call exceeds maximum size/);
  });

  test("a cross-origin multipart upload (no preflight) is refused", async () => {
    const form = new FormData();
    form.set("file", new File([new Uint8Array(await pngBytes())], "x.png"));
    form.set("role", "content");
    const encoded = new Request("http://x/", { method: "POST", body: form });
    const res = await a.request("POST", "/api/trpc/images.upload", {
      body: Buffer.from(await encoded.arrayBuffer()),
      headers: { "content-type": encoded.headers.get("content-type")!, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(res.status).toBe(403);
  });
});

/** An address of this machine that is not loopback, if it has one. */
const EXTERNAL = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && !a.internal && a.family === "IPv4")?.address;

describe.skipIf(EXTERNAL === undefined)(
  `the package's start script${EXTERNAL === undefined ? " (skipped: this machine has no non-loopback IPv4 address)" : ""}`,
  () => {
    test("listens on 127.0.0.1 only unless HOST says otherwise", async () => {
      const dataDir = path.join(work, "local");
      mkdirSync(dataDir);
      const script = (JSON.parse(readFileSync(path.join(WEB_DIR, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
      const port = await freePort();
      // The script as pnpm runs it (a POSIX shell), with PORT for the port.
      const child = spawn("sh", ["-c", script], {
        cwd: WEB_DIR,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: "",
          NODE_ENV: "production",
          NEXT_TELEMETRY_DISABLED: "1",
          PASTICHE_DATA_DIR: dataDir,
          PATH: `${path.join(WEB_DIR, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
        },
        stdio: "ignore",
        detached: true,
      });
      try {
        const reach = (host: string) =>
          fetch(`http://${host}:${port}/api/trpc/system.info`).then(
            (r) => r.status,
            () => "refused",
          );
        await until("the server to answer on 127.0.0.1", 60_000, async () => ((await reach("127.0.0.1")) === 200 ? true : undefined));
        expect(await reach(EXTERNAL!)).toBe("refused");
      } finally {
        process.kill(-child.pid!, "SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
    });
  },
);

describe.skipIf(!HAVE_MODELS)(titled("retention and quota on the production server"), () => {
  test("an expired job disappears with all its files; a quota is enforced", async () => {
    // 0.01 h = 36 s: long enough for a first Fast job (model loading) to finish on a busy CI
    // machine, short enough to wait for; the sweeper then runs every 9 s.
    const { app, dataDir } = await serve("short", { PASTICHE_RETENTION_HOURS: "0.01", PASTICHE_VISITOR_QUOTA_MB: "1" });
    const a = new Jar(() => app.url);
    const image = (await a.upload(await pngBytes(64, 64), "content")).data!;
    const { id } = (await a.mutate<{ id: string }>("jobs.create", { mode: "fast", contentId: image.id, styleIds: [image.id], options: { size: 64 } })).data!;
    await until("the job to succeed", 60_000, async () => ((await a.query<JobView>("jobs.get", { id })).data?.status === "succeeded" ? true : undefined));
    expect((await a.request("GET", `/api/jobs/${id}/result`)).status).toBe(200);
    expect(filesIn(dataDir).sort()).toEqual([`results/${id}.png`, `thumbnails/${image.id}.jpg`, `uploads/${image.id}`]);

    // Quota (1 MB): noise does not compress, so two 600 KB images do not fit.
    const noise = await sharp(randomBytes(450 * 450 * 3), { raw: { width: 450, height: 450, channels: 3 } })
      .png()
      .toBuffer();
    const q = new Jar(() => app.url);
    expect((await q.upload(noise, "content")).status).toBe(200);
    const over = await q.upload(noise, "content");
    expect(over.status).toBe(403);
    expect(over.error?.message).toMatch(/^Your storage on this server is full \(.* of 1\.0 MB\); delete some jobs or uploads first\.$/);

    await until("the expired job to disappear", 60_000, async () => ((await a.query("jobs.get", { id })).status === 404 ? true : undefined));
    expect((await a.request("GET", `/api/jobs/${id}/result`)).status).toBe(404);
    expect((await a.request("GET", image.url)).status).toBe(404);
    await until("every file to be gone", 30_000, () => Promise.resolve(filesIn(dataDir).length === 0 ? true : undefined));
  });
});
