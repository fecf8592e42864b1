/**
 * Fast mode in the visitor's browser, end to end: Debian's Chromium (playwright-core) against the
 * production build. The Fast job runs in the page (no server job: the server's worker never
 * starts), its result is kept in the visitor's history through jobs.createClientResult and nobody
 * else can see it; when the browser cannot (the model manifest fails here) the same job goes to the
 * server without the user doing anything; with PASTICHE_CLIENT_FAST=off every job is a server job.
 * Also the live camera on Chromium's fake device. Small images (≤160 px) keep it quick on WASM.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { JobListOutput, JobView, SystemInfo } from "../../src/shared/jobSchemas";
import { launchChromium } from "../browser/chromium.ts";
import { Jar } from "./jar";
import { startApp, WEB_DIR, type RunningApp } from "./server";

const SHARED = path.resolve(WEB_DIR, "../../../shared");
const MODELS_DIR = process.env.PASTICHE_MODELS_DIR ?? path.join(SHARED, "models");
const IMAGES_DIR = process.env.PASTICHE_TEST_IMAGES ?? path.join(SHARED, "images");
const ARTIFACTS = path.join(WEB_DIR, "test", "e2e", "artifacts");
const NEEDS = [needs.chromium(), needs.models(), needs.sharedImages()];
const MISSING = NEEDS.filter((reason) => reason !== undefined);
const SIZE = 128;
/** What system.info says while no worker has started: proof that no job ran on the server. */
const NO_WORKER_YET = "starts with the first job";

let app: RunningApp;
let browser: Browser;
let work: string;
let content: string;
let style: string;
const problems: string[] = [];

/** A fresh profile (no cache, no cookie: a new visitor); `problems` starts empty for it. */
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  problems.length = 0;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`);
    });
  });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy|CSP violation|Refused to/i.test(msg.text())) problems.push(msg.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return { context, page };
}

/** A jar holding the page's visitor cookie: the API as this visitor sees it. */
async function jarOf(context: BrowserContext, base: string): Promise<Jar> {
  const cookie = (await context.cookies(base)).find((c) => c.name === "pastiche_visitor");
  if (!cookie) throw new Error("the page got no visitor cookie");
  const jar = new Jar(() => base);
  jar.cookie = `${cookie.name}=${cookie.value}`;
  return jar;
}

/** Opens the app, picks the images, sets the Fast size and presses Run; returns the finished job's id. */
async function runFast(page: Page, base: string): Promise<string> {
  await page.goto(base);
  await page.getByRole("heading", { name: "Pastiche" }).waitFor();
  await page.getByTestId("content-input").setInputFiles(content);
  await page.getByTestId("content-thumb").waitFor();
  await page.getByTestId("style-input").setInputFiles(style);
  await page.getByTestId("style-thumb").waitFor();
  await page.getByTestId("size").fill(String(SIZE));
  await page.getByTestId("run-button").click();
  const panel = page.getByTestId("job-panel");
  await panel.waitFor({ timeout: 120_000 });
  const status = page.getByTestId("job-status");
  await expect.poll(() => status.getAttribute("data-status"), { timeout: 120_000, interval: 250 }).toMatch(/^(succeeded|failed|cancelled)$/);
  if ((await status.getAttribute("data-status")) !== "succeeded") throw new Error(`the job ended ${(await page.getByTestId("job-error").textContent()) ?? ""}`);
  const result = page.getByTestId("result-image");
  await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBe(SIZE);
  return (await panel.getAttribute("data-job-id"))!;
}

beforeAll(async () => {
  if (MISSING.length > 0) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), "pastiche-e2e-client-"));
  content = path.join(work, "sailboat.png");
  style = path.join(work, "starry.png");
  writeFileSync(
    content,
    await sharp(path.join(IMAGES_DIR, "content", "sailboat.jpg"))
      .resize(160, 160, { fit: "inside" })
      .png()
      .toBuffer(),
  );
  writeFileSync(
    style,
    await sharp(path.join(IMAGES_DIR, "style", "starry_night.jpg"))
      .resize(160, 160, { fit: "inside" })
      .png()
      .toBuffer(),
  );
  mkdirSync(path.join(work, "data"));
  app = await startApp({ PASTICHE_DATA_DIR: path.join(work, "data"), PASTICHE_MODELS_DIR: MODELS_DIR });
  browser = await launchChromium(["--disable-quic", "--disable-component-update", "--disable-sync"]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (app) writeFileSync(path.join(ARTIFACTS, "client-fast-server.log"), app.log());
  if (work) rmSync(work, { recursive: true, force: true });
});

describeNeeding(NEEDS, "Fast mode in the visitor's browser", () => {
  let jobId: string;
  let owner: Jar;

  test("the page's CSP allows WebAssembly but no JS eval; the WASM binaries are served from the app", async () => {
    const res = await fetch(`${app.url}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    await res.text();
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/'unsafe-eval'/);
    const wasm = await fetch(`${app.url}/tfjs-wasm/4.22.0/tfjs-backend-wasm-simd.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get("content-type")).toBe("application/wasm");
    expect(wasm.headers.get("cache-control")).toContain("immutable");
    expect([...new Uint8Array(await wasm.arrayBuffer()).subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]);
    for (const bad of ["/tfjs-wasm/4.22.0/package.json", "/tfjs-wasm/4.22.0/..%2Fpackage.json", "/tfjs-wasm/1.0.0/tfjs-backend-wasm.wasm"]) {
      const r = await fetch(`${app.url}${bad}`);
      expect(r.status, bad).toBe(404);
      await r.arrayBuffer();
    }
  });

  test("a Fast job runs in the browser: backend and time shown, no server job, the result in the history", async () => {
    const { context, page } = await newPage();
    jobId = await runFast(page, app.url);
    const note = page.getByTestId("browser-note");
    expect(await note.getAttribute("data-where")).toBe("browser");
    const backend = await page.getByTestId("client-backend").getAttribute("data-backend");
    const ms = Number(await page.getByTestId("client-timing").getAttribute("data-ms"));
    console.log(`in-browser Fast at ${SIZE} px: ${backend ?? "?"} in ${ms} ms (no GPU here: WebGL is SwiftShader)`);
    expect(["webgl", "wasm"]).toContain(backend);
    expect(ms).toBeGreaterThan(0);
    expect(await page.getByTestId("job-made-in-browser").getAttribute("data-backend")).toBe(backend);
    await page.screenshot({ path: path.join(ARTIFACTS, "client-fast.png"), fullPage: true });

    owner = await jarOf(context, app.url);
    const list = await owner.query<JobListOutput>("jobs.list", {});
    expect(list.data?.items.map((j) => j.id)).toEqual([jobId]);
    const job = list.data!.items[0]!;
    expect(job).toMatchObject({ mode: "fast", status: "succeeded", options: { size: SIZE } });
    expect(job.progress?.browserBackend).toBe(backend);
    // The server never started a worker: the job did not run there.
    expect((await owner.query<SystemInfo>("system.info", {})).data?.backend).toBe(NO_WORKER_YET);
    const png = await owner.request("GET", job.resultUrl!);
    expect(png.status).toBe(200);
    const meta = await sharp(png.body).metadata();
    expect([meta.format, Math.max(meta.width, meta.height)]).toEqual(["png", SIZE]);

    // After a reload the history still has it.
    await page.reload();
    await page.locator(`[data-testid=history-item]`).first().waitFor();
    expect(await page.getByTestId("history-item").count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });

  test("another visitor cannot see or download it", async () => {
    const other = new Jar(() => app.url);
    expect((await other.query<JobView>("jobs.get", { id: jobId })).error?.data.code).toBe("NOT_FOUND");
    expect((await other.query<JobListOutput>("jobs.list", {})).data?.items).toEqual([]);
    expect((await other.request("GET", `/api/jobs/${jobId}/result`)).status).toBe(404);
    expect((await other.request("GET", `/api/jobs/${jobId}/result?download=1`)).status).toBe(404);
    // The owner still can.
    expect((await owner.request("GET", `/api/jobs/${jobId}/result`)).status).toBe(200);
  });

  test("the live camera stylises Chromium's fake camera and shows its frame rate", async () => {
    const { context, page } = await newPage();
    await page.goto(app.url);
    await page.getByTestId("style-input").setInputFiles(style);
    await page.getByTestId("style-thumb").waitFor();
    await page.getByTestId("camera-start").click();
    const fps = page.getByTestId("camera-fps");
    // The first second's window includes the style's prediction (and WebGL's shader compiles).
    await expect
      .poll(async () => Number((await fps.count()) > 0 ? await fps.getAttribute("data-fps") : 0), { timeout: 120_000, interval: 500 })
      .toBeGreaterThan(0);
    const measured = Number(await fps.getAttribute("data-fps"));
    console.log(`live camera: ${measured} frames/s (${(await fps.textContent()) ?? ""})`);
    expect(measured).toBeGreaterThan(0);
    expect(await page.getByTestId("camera-canvas").evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(0);
    await page.getByTestId("camera-stop").click();
    await page.getByTestId("camera-start").waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  test("when the browser cannot (the model manifest fails), the job goes to the server by itself", async () => {
    const { context, page } = await newPage();
    await page.route("**/api/models/manifest.json", (route) => route.fulfill({ status: 503, body: "unavailable" }));
    const id = await runFast(page, app.url);
    expect(await page.getByTestId("browser-note").getAttribute("data-where")).toBe("fallback");
    expect(await page.getByTestId("browser-note").textContent()).toMatch(/models could not be downloaded/);
    expect(await page.getByTestId("job-made-in-browser").count()).toBe(0);
    const jar = await jarOf(context, app.url);
    const job = (await jar.query<JobView>("jobs.get", { id })).data!;
    expect(job.progress?.browserBackend).toBeUndefined();
    // A worker started for it.
    expect((await jar.query<SystemInfo>("system.info", {})).data?.backend).not.toBe(NO_WORKER_YET);
    expect(problems).toEqual([]);
    await context.close();
  });

  test("with PASTICHE_CLIENT_FAST=off every job is a server job, and client results are refused", async () => {
    mkdirSync(path.join(work, "data-off"));
    const off = await startApp({ PASTICHE_DATA_DIR: path.join(work, "data-off"), PASTICHE_MODELS_DIR: MODELS_DIR, PASTICHE_CLIENT_FAST: "off" });
    try {
      const { context, page } = await newPage();
      const id = await runFast(page, off.url);
      expect(await page.getByTestId("browser-note").getAttribute("data-where")).toBe("server");
      const jar = await jarOf(context, off.url);
      expect((await jar.query<SystemInfo>("system.info", {})).data?.clientFast).toBe(false);
      expect((await jar.query<JobView>("jobs.get", { id })).data?.progress?.browserBackend).toBeUndefined();
      expect((await jar.query<SystemInfo>("system.info", {})).data?.backend).not.toBe(NO_WORKER_YET);
      const form = new FormData();
      form.set("file", new File([new Uint8Array(await sharp(content).png().toBuffer())], "result.png"));
      form.set("job", JSON.stringify({ contentId: "AAAAAAAAAAAAAAAAAAAAAA", styleIds: ["AAAAAAAAAAAAAAAAAAAAAA"], options: { size: SIZE } }));
      form.set("backend", "wasm");
      form.set("ms", "5");
      const encoded = new Request("http://x/", { method: "POST", body: form });
      const res = await jar.request("POST", "/api/trpc/jobs.createClientResult", {
        body: Buffer.from(await encoded.arrayBuffer()),
        headers: { "content-type": encoded.headers.get("content-type")! },
      });
      const body = JSON.parse(res.body.toString()) as { error?: { message: string; data: { code: string } } };
      expect(body.error?.data.code).toBe("PRECONDITION_FAILED");
      expect(body.error?.message).toMatch(/PASTICHE_CLIENT_FAST=off/);
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      await off.stop();
    }
  });
});
