/**
 * End to end, in a real browser: Debian's Chromium driven by playwright-core (no browser download)
 * against the production build started with `next start`. One server and one page for the whole
 * file, in the order a user would go: upload, Fast job, download, Quality job watched and cancelled,
 * refused files, history after a reload. Screenshots go to test/e2e/artifacts/.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { chromiumPath, describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { writeBadFiles, type BadFile } from "./badFiles";
import { startApp, WEB_DIR, type RunningApp } from "./server";

const REPO = path.resolve(WEB_DIR, "../..");
const SHARED = path.resolve(REPO, "../shared");
const MODELS_DIR = process.env.PASTICHE_MODELS_DIR ?? path.join(SHARED, "models");
const IMAGES_DIR = process.env.PASTICHE_TEST_IMAGES ?? path.join(SHARED, "images");
const CONTENT = path.join(IMAGES_DIR, "content", "sailboat.jpg");
const STYLE = path.join(IMAGES_DIR, "style", "starry_night.jpg");
const ARTIFACTS = path.join(WEB_DIR, "test", "e2e", "artifacts");
const CHROMIUM = chromiumPath() ?? "/usr/bin/chromium";
/** What the test needs from outside the repository (CI installs Chromium and provides ../shared). */
const NEEDS = [needs.chromium(), needs.models(), needs.sharedImages()];
const MISSING = NEEDS.filter((reason) => reason !== undefined);

let app: RunningApp;
let browser: Browser;
let page: Page;
let work: string;
let dataDir: string;
/** Console errors about the CSP, and uncaught exceptions: either means the page is broken. */
const cspViolations: string[] = [];
const pageErrors: string[] = [];

function shot(name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Every file under the data directory except the database's own (which changes on any request). */
function storedFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (!/\.(db|sqlite3?)(-wal|-shm|-journal)?$/.test(entry.name)) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Polls `check` until it returns true; an error it throws ends the wait at once. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Presses Run and waits for the new job's panel; returns its id. */
async function runJob(): Promise<string> {
  const panel = page.getByTestId("job-panel");
  const before = (await panel.count()) > 0 ? await panel.getAttribute("data-job-id") : null;
  await page.getByTestId("run-button").click();
  let id: string | null = null;
  await until("the new job to open", 30_000, async () => {
    const runError = page.getByTestId("run-error");
    if (await runError.isVisible()) throw new Error(`the job was refused: ${(await runError.textContent()) ?? ""}`);
    id = (await panel.count()) > 0 ? await panel.getAttribute("data-job-id") : null;
    return id !== null && id !== before;
  });
  return id!;
}

/** The open job's status once it has left "queued"/"running" (or `until` ms have passed). */
async function settledStatus(until: number): Promise<string> {
  const status = page.getByTestId("job-status");
  await expect.poll(() => status.getAttribute("data-status"), { timeout: until, interval: 250 }).toMatch(/^(succeeded|failed|cancelled)$/);
  return (await status.getAttribute("data-status"))!;
}

/** A failed job shows its reason: put it in the test's failure instead of a bare timeout. */
async function failIfJobFailed(): Promise<void> {
  if ((await page.getByTestId("job-status").getAttribute("data-status")) === "failed") {
    throw new Error(`the job failed: ${(await page.getByTestId("job-error").textContent()) ?? "(no reason shown)"}`);
  }
}

function expectNoBrowserErrors(): void {
  expect(cspViolations, "CSP violations in the browser console").toEqual([]);
  expect(pageErrors, "uncaught exceptions in the page").toEqual([]);
}

beforeAll(async () => {
  if (MISSING.length > 0) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), "pastiche-e2e-"));
  dataDir = path.join(work, "data");
  mkdirSync(dataDir);
  app = await startApp({
    PASTICHE_DATA_DIR: dataDir,
    PASTICHE_MODELS_DIR: MODELS_DIR,
    // The shared paintings double as the server's bundled example styles.
    PASTICHE_EXAMPLE_STYLES_DIR: path.join(IMAGES_DIR, "style"),
    // Frequent previews, so the short Quality job shows one soon.
    PASTICHE_PREVIEW_EVERY: "2",
    // This file follows the server's path for every job; clientFast.test.ts runs Fast in the browser.
    PASTICHE_CLIENT_FAST: "off",
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // A fresh context is a fresh profile: no cache, cookies or downloads from an earlier run.
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy|CSP violation|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  // The server's output is the first thing to read when a step times out.
  if (app) writeFileSync(path.join(ARTIFACTS, "server.log"), app.log());
  if (work) rmSync(work, { recursive: true, force: true });
});

describeNeeding(NEEDS, "the web app in Chromium", () => {
  test("the page is served with security headers and a per-request CSP nonce", async () => {
    const [a, b] = await Promise.all([fetch(`${app.url}/`), fetch(`${app.url}/`)]);
    expect(a.status).toBe(200);
    const csp = a.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'self'",
      "'strict-dynamic'",
      "img-src 'self' blob: data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'self'",
    ]) {
      expect(csp).toContain(directive);
    }
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(b.headers.get("content-security-policy")).not.toContain(nonce!);
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a.headers.get("x-frame-options")).toBe("DENY");
    expect(a.headers.get("referrer-policy")).toBeTruthy();
    expect(a.headers.get("permissions-policy")).toBeTruthy();
    // Every script Next.js emitted carries this response's nonce, or the page could not hydrate.
    const html = await a.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce!}"`);
    await b.text();
  });

  test("the page hydrates under the CSP", async () => {
    await page.goto(app.url);
    await page.getByRole("heading", { name: "Pastiche" }).waitFor();
    // Switching mode changes the controls: only a hydrated React tree reacts to the click.
    await page.locator("label:has([data-testid=mode-quality])").click();
    await page.getByTestId("iterations").waitFor();
    await page.locator("label:has([data-testid=mode-fast])").click();
    await page.getByTestId("strength").waitFor();
    expectNoBrowserErrors();
  });

  test("upload a content and a style image, run a Fast job, see and download the result", async () => {
    await page.getByTestId("content-input").setInputFiles(CONTENT);
    await page.getByTestId("content-thumb").waitFor();
    await page.getByTestId("style-input").setInputFiles(STYLE);
    await page.getByTestId("style-thumb").waitFor();
    await expect
      .poll(() =>
        page
          .getByTestId("content-thumb")
          .locator("img")
          .evaluate((img: HTMLImageElement) => img.naturalWidth),
      )
      .toBeGreaterThan(0);

    // Dropping a file on the drop zone uploads it like picking it; its × removes it again.
    const waveFile = path.join(IMAGES_DIR, "style", "the_great_wave.jpg");
    await page.locator("[data-testid=style-picker] .dropzone").evaluate(
      (zone, { base64, name }) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: "image/jpeg" }));
        zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      },
      { base64: readFileSync(waveFile).toString("base64"), name: path.basename(waveFile) },
    );
    await expect.poll(() => page.getByTestId("style-thumb").count()).toBe(2);
    await page.getByRole("button", { name: "Remove the_great_wave.jpg" }).click();
    await expect.poll(() => page.getByTestId("style-thumb").count()).toBe(1);

    // An example style joins the uploaded one; with two styles the blend weights appear.
    const wave = page.getByRole("button", { name: "The great wave", exact: true });
    await wave.click();
    await expect.poll(() => page.getByTestId("style-thumb").count()).toBe(2);
    expect(await wave.getAttribute("aria-pressed")).toBe("true");
    expect(await page.getByTestId("blend-weight").count()).toBe(2);
    await wave.click();
    await expect.poll(() => page.getByTestId("style-thumb").count()).toBe(1);
    expect(await page.getByTestId("blend-weight").count()).toBe(0);

    await page.getByTestId("size").fill("384");
    await runJob();
    // Generous: the first job also loads the model, and CI shares two cores with other suites.
    if ((await settledStatus(90_000)) !== "succeeded") await failIfJobFailed();
    expect(await page.getByTestId("job-status").getAttribute("data-status")).toBe("succeeded");
    const result = page.getByTestId("result-image");
    await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot("fast-result");
    // A compact copy for the README (see the afterAll at the end), from the top of the page.
    await page.evaluate(() => {
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: path.join(ARTIFACTS, "fast-result.jpg"), type: "jpeg", quality: 70 });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-link").click()]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);
    const saved = path.join(work, "download.png");
    await download.saveAs(saved);
    const png = readFileSync(saved);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(384); // IHDR width: the longest side asked for (sailboat is landscape)
    expectNoBrowserErrors();
  });

  test("start a short Quality job, watch it progress, cancel it", async () => {
    await page.locator("label:has([data-testid=mode-quality])").click();
    await page.getByTestId("size").fill("96");
    await page.getByTestId("iterations").fill("400");
    const jobId = await runJob();

    const iteration = page.getByTestId("progress-iteration");
    const current = async (): Promise<number> => {
      await failIfJobFailed();
      if (!(await iteration.isVisible())) return -1; // still queued, or loading the model
      return Number(/^(\d+)/.exec((await iteration.textContent()) ?? "")?.[1] ?? -1);
    };
    // The first iteration waits for VGG19 to load in the worker; after that they come quickly.
    await until("the first iterations", 90_000, async () => (await current()) > 0);
    const first = await current();
    await until("the iteration counter to move on", 60_000, async () => (await current()) > first);
    expect(await iteration.textContent()).toMatch(/\/ 400$/);
    await page.getByTestId("loss-chart").waitFor({ timeout: 60_000 });
    // The intermediate image is replaced as new previews arrive (every 2 iterations here).
    const preview = page.getByTestId("preview-image");
    await preview.waitFor({ timeout: 60_000 });
    const firstPreview = await preview.getAttribute("src");
    await until("a newer preview image", 60_000, async () => {
      await failIfJobFailed();
      return (await preview.count()) > 0 && (await preview.getAttribute("src")) !== firstPreview;
    });
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

    // While the job runs the server keeps answering (its work is off the request path).
    for (const route of ["/api/trpc/system.info", "/"]) {
      const t0 = performance.now();
      const res = await fetch(`${app.url}${route}`);
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      console.log(`${route} answered in ${ms.toFixed(0)} ms while a Quality job ran`);
      expect(res.ok).toBe(true);
      expect(ms).toBeLessThan(2_000);
    }
    await shot("quality-progress");

    await page.getByTestId("cancel-button").click();
    await expect.poll(() => page.getByTestId("job-status").getAttribute("data-status"), { timeout: 30_000 }).toBe("cancelled");
    // A job that ends without a result keeps no preview on disk.
    await until("the cancelled job's preview to be deleted", 30_000, () => Promise.resolve(!existsSync(path.join(dataDir, "previews", `${jobId}.jpg`))));
    await shot("quality-cancelled");
    expectNoBrowserErrors();
  });

  test("refused files get a readable message and nothing is stored", async () => {
    const before = storedFiles(dataDir);
    const badFiles: BadFile[] = writeBadFiles(work, 100 * 1024 * 1024);
    const error = page.getByTestId("content-error");
    for (const bad of badFiles) {
      await page.getByTestId("content-input").setInputFiles(bad.file);
      const name = path.basename(bad.file);
      await expect.poll(async () => ((await error.isVisible()) ? await error.textContent() : ""), { timeout: 30_000 }).toContain(name);
      const message = (await error.textContent()) ?? "";
      console.log(`${bad.what}: ${message}`);
      expect(message, bad.what).toMatch(bad.expect);
      expect(await error.getAttribute("role")).toBe("alert");
      await shot(`refused-${name}`);
    }
    // The content chosen earlier is still the only one.
    await expect.poll(() => page.getByTestId("content-pending").count()).toBe(0);
    expect(await page.getByTestId("content-thumb").count()).toBe(1);
    expect(storedFiles(dataDir)).toEqual(before);
    expectNoBrowserErrors();
  });

  test("the history survives a reload and opens a finished job", async () => {
    await page.reload();
    const items = page.getByTestId("history-item");
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await page.locator("[data-testid=history-item][data-status=cancelled]").first().waitFor();
    await page.locator("[data-testid=history-item][data-status=succeeded]").first().click();
    const result = page.getByTestId("result-image");
    await result.waitFor();
    await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await shot("history");
    expectNoBrowserErrors();
  });

  test("publish a result's read-only link, then delete the job with its files", async () => {
    // The finished job opened from the history in the previous step.
    const panel = page.getByTestId("job-panel");
    const id = (await panel.getAttribute("data-job-id"))!;
    await page.getByTestId("publish-button").click();
    const link = page.getByTestId("shared-link");
    await link.waitFor();
    // Anyone with the link gets the PNG: a client without the visitor's cookie.
    const shared = await fetch(new URL((await link.getAttribute("href"))!, app.url));
    expect(shared.status).toBe(200);
    expect(shared.headers.get("content-type")).toBe("image/png");
    expect(shared.headers.get("set-cookie")).toMatch(/^pastiche_visitor=/);
    await shared.arrayBuffer();
    // …but not the job's own URLs.
    expect((await fetch(`${app.url}/api/jobs/${id}/result`)).status).toBe(404);
    const items = page.getByTestId("history-item");
    const before = await items.count();
    await page.getByTestId("delete-button").click();
    await expect.poll(() => panel.count()).toBe(0);
    await expect.poll(() => items.count()).toBe(before - 1);
    expect(existsSync(path.join(dataDir, "results", `${id}.png`))).toBe(false);
    expect((await fetch(shared.url)).status).toBe(404);
    expectNoBrowserErrors();
  });
});

// Keeps the README's screenshot reproducible: `PASTICHE_UPDATE_SCREENSHOT=1 pnpm --filter @pastiche/web test`.
afterAll(() => {
  if (process.env.PASTICHE_UPDATE_SCREENSHOT === "1" && MISSING.length === 0) {
    copyFileSync(path.join(ARTIFACTS, "fast-result.jpg"), path.join(REPO, "docs", "images", "web-ui.jpg"));
  }
});
