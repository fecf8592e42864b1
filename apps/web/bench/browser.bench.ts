/**
 * `bench:browser`: the engine in headless Chromium (Debian's, via playwright-core), through the static
 * page (`build:static`) served by a plain static file server, as a visitor uses it:
 *  - Fast at 256 and 512 px per backend (WASM; WebGL and WebGPU, which on this machine are
 *    SwiftShader, a software rasteriser: there is no GPU): the first run (predicts the style's bottleneck, compiles
 *    kernels) and the median of RUNS more (bottleneck cached per style, as when re-running or on camera);
 *  - the live camera (Chromium's fake camera, 640x480) per backend: frames per second over WINDOW s and
 *    the processing size the adaptive loop settled on.
 * Prints a table with ratios measured in this one run, for docs/benchmarks.md ("In the browser").
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { build } from "vite";
import { missing, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { expect, it } from "vitest";
import { staticSiteConfig } from "../static/siteConfig.ts";
import { launchChromium } from "../test/browser/chromium.ts";
import { serveStatic } from "../test/browser/staticServer.ts";

const SIZES = [256, 512] as const;
const BACKENDS = ["wasm", "webgl", "webgpu"] as const;
const RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 3);
const WINDOW_S = Number(process.env.BENCH_BROWSER_CAMERA_SECONDS ?? 8);

type Backend = (typeof BACKENDS)[number];
interface FastRow {
  backend: Backend;
  size: number;
  firstMs: number;
  warmMs: number;
}
interface CameraRow {
  backend: Backend;
  fps: number;
  side: number;
}

const pageErrors: string[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function openPage(browser: Browser, url: string, styleFile: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ["camera"] });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.getByTestId("style-input").setInputFiles(styleFile);
  await page.waitForFunction(() => !["loading…", ""].includes(document.querySelector("[data-testid=backend]")?.textContent ?? ""), undefined, {
    timeout: 120_000,
  });
  return page;
}

async function timedRun(page: Page): Promise<number> {
  await page.getByTestId("run").click();
  await page.getByTestId("result").waitFor({ timeout: 600_000 });
  const message = await page.getByTestId("message").textContent();
  if (message) throw new Error(`the page says: ${message}`);
  return Number(await page.getByTestId("timing").getAttribute("data-ms"));
}

async function measureCamera(page: Page, backend: Backend): Promise<CameraRow> {
  await page.getByTestId("camera-start").click();
  const fpsOf = () => page.getByTestId("fps").getAttribute("data-fps");
  await page.waitForFunction(() => document.querySelector<HTMLElement>("[data-testid=fps]")?.dataset.fps !== undefined, undefined, { timeout: 300_000 });
  // Let the adaptive size settle, then average the once-a-second reports over the window.
  await page.waitForTimeout(3000);
  const samples: number[] = [];
  for (let s = 0; s < WINDOW_S; s++) {
    await page.waitForTimeout(1000);
    samples.push(Number(await fpsOf()));
  }
  const side = Number(await page.getByTestId("camera-side").textContent());
  await page.getByTestId("camera-stop").click();
  return { backend, fps: samples.reduce((a, b) => a + b, 0) / samples.length, side };
}

it("bench:browser — Fast at 256/512 px and camera fps per backend in headless Chromium", async () => {
  const reason = missing(needs.chromium(), needs.models("magenta-arbitrary-tflite"), needs.sharedImages());
  if (reason) throw new Error(`bench:browser: ${reason}`);
  const work = mkdtempSync(path.join(os.tmpdir(), "pastiche-bench-browser-"));
  const browser = await launchChromium(["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"]);
  const load = os.loadavg()[0]!;
  try {
    const site = path.join(work, "site");
    await build({ ...staticSiteConfig({ modelsDir: modelsDir(), outDir: site }), configFile: false });
    const server = await serveStatic({ "/": site });
    const images = sharedImagesDir()!;
    const styleFile = path.join(work, "style.png");
    await sharp(path.join(images, "style", "starry_night.jpg"))
      .resize(256, 256, { fit: "inside" })
      .png()
      .toFile(styleFile);
    const contentFiles = new Map<number, string>();
    for (const size of SIZES) {
      const file = path.join(work, `content-${size}.png`);
      await sharp(path.join(images, "content", "sailboat.jpg"))
        .resize(size, size, { fit: "inside" })
        .png()
        .toFile(file);
      contentFiles.set(size, file);
    }
    const fast: FastRow[] = [];
    const camera: CameraRow[] = [];
    const chromeVersion = browser.version();
    let isolated = false;
    try {
      for (const backend of BACKENDS) {
        const page = await openPage(browser, `${server.url}?backend=${backend}`, styleFile);
        expect(await page.getByTestId("backend").textContent()).toBe(backend);
        // A plain static host sends no COOP/COEP headers, so tfjs's WASM runs without threads.
        isolated = await page.evaluate(() => crossOriginIsolated);
        for (const size of SIZES) {
          await page.getByTestId("size").fill(String(size));
          await page.getByTestId("content-input").setInputFiles(contentFiles.get(size)!);
          const firstMs = await timedRun(page);
          const warm: number[] = [];
          for (let r = 0; r < RUNS; r++) warm.push(await timedRun(page));
          fast.push({ backend, size, firstMs, warmMs: median(warm) });
          process.stdout.write(`${backend} ${size} px: first ${firstMs.toFixed(0)} ms, warm ${warm.map((m) => m.toFixed(0)).join("/")} ms\n`);
        }
        camera.push(await measureCamera(page, backend));
        process.stdout.write(`${backend} camera: ${camera.at(-1)!.fps.toFixed(1)} fps at ${camera.at(-1)!.side} px\n`);
        await page.context().close();
      }
    } finally {
      await server.close();
    }
    const row = (b: Backend, s: number) => fast.find((r) => r.backend === b && r.size === s)!;
    const cam = (b: Backend) => camera.find((r) => r.backend === b)!;
    const label = (b: Backend) =>
      b === "wasm" ? `wasm (SIMD, ${isolated ? "threads" : "1 thread: not cross-origin isolated"})` : `${b} (SwiftShader, software, no GPU)`;
    const lines = [
      `bench:browser — headless Chromium ${chromeVersion}, the static page from a plain static file server; Fast: first run, then median of ${RUNS} (style bottleneck cached); camera 640x480 fake, ${WINDOW_S} s`,
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load average ${load.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end`,
      "| backend | Fast 256 px first | Fast 256 px warm | Fast 512 px first | Fast 512 px warm | 512/256 (warm) | camera fps | camera side |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |",
      ...BACKENDS.map((b) => {
        const [small, large] = SIZES.map((s) => row(b, s));
        return `| ${label(b)} | ${small!.firstMs.toFixed(0)} ms | ${small!.warmMs.toFixed(0)} ms | ${large!.firstMs.toFixed(0)} ms | ${large!.warmMs.toFixed(0)} ms | ${(large!.warmMs / small!.warmMs).toFixed(2)}× | ${cam(b).fps.toFixed(1)} | ${cam(b).side} px |`;
      }),
      ...(["webgl", "webgpu"] as const).flatMap((b) => [
        ...SIZES.map((s) => `${b} / wasm at ${s} px (warm): ${(row(b, s).warmMs / row("wasm", s).warmMs).toFixed(2)}× the time`),
        `camera: ${b} / wasm frames per second ${(cam(b).fps / cam("wasm").fps).toFixed(2)}× (at ${cam(b).side} vs ${cam("wasm").side} px)`,
      ]),
    ];
    process.stdout.write(`\n${lines.join("\n")}\n`);
    expect(pageErrors).toEqual([]);
    expect(fast.every((r) => r.firstMs > 0 && r.warmMs > 0)).toBe(true);
    expect(camera.every((r) => r.fps > 0)).toBe(true);
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
});
