/**
 * The static page (`build:static`) works from a plain static file server: built by Vite with the
 * models and tfjs's WASM binaries beside it, served by node:http with nothing but files, driven in
 * Chromium through its test ids. Fast stylisation on WASM and on the automatic choice (WASM here:
 * WebGL is SwiftShader, a software rasteriser, so it goes last), no CSP violation, and Chromium's fake camera stylised at a measured frame rate.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { build } from "vite";
import { describeNeeding, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { staticSiteConfig } from "../../static/siteConfig.ts";
import { launchChromium, watchPageProblems } from "./chromium.ts";
import { serveStatic } from "./staticServer.ts";
import { tearDown } from "./teardown.ts";

const NEEDS = [needs.chromium(), needs.models("magenta-arbitrary-tflite"), needs.sharedImages()];
const CONTENT_SIDE = 160;

describeNeeding(NEEDS, "the static page from a plain static file server", () => {
  let work: string;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let contentFile: string;
  let styleFile: string;
  let contentSize: { width: number; height: number };

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "pastiche-static-"));
    const site = path.join(work, "site");
    await build({ ...staticSiteConfig({ modelsDir: modelsDir(), outDir: site }), configFile: false });
    // Only files: the page, its assets, models/ and tfjs-wasm/ as the build wrote them.
    server = await serveStatic({ "/": site });
    const manifest = JSON.parse(readFileSync(path.join(site, "models", "manifest.json"), "utf8")) as { fast: { predictor: { integrity: string } } };
    expect(manifest.fast.predictor.integrity).toMatch(/^sha256-/);

    const images = sharedImagesDir()!;
    contentFile = path.join(work, "content.png");
    styleFile = path.join(work, "style.png");
    const info = await sharp(path.join(images, "content", "sailboat.jpg"))
      .resize(CONTENT_SIDE, CONTENT_SIDE, { fit: "inside" })
      .png()
      .toFile(contentFile);
    contentSize = { width: info.width, height: info.height };
    await sharp(path.join(images, "style", "starry_night.jpg"))
      .resize(256, 256, { fit: "inside" })
      .png()
      .toFile(styleFile);
    browser = await launchChromium();
  }, 240_000);

  afterAll(() => tearDown(browser, server, work));

  /** The page with both files chosen, its engine ready. */
  async function openPage(page: Page, query: string): Promise<void> {
    await page.goto(`${server.url}${query}`);
    await page.getByTestId("content-input").setInputFiles(contentFile);
    await page.getByTestId("style-input").setInputFiles(styleFile);
    // Ready, or broken: an uncaught error (watchPageProblems counts them) ends the wait at once.
    await page.waitForFunction(
      () =>
        !["loading…", ""].includes(document.querySelector("[data-testid=backend]")?.textContent ?? "") ||
        ((globalThis as unknown as { uncaughtErrors?: number }).uncaughtErrors ?? 0) > 0,
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.getByTestId("message").textContent()).toBe("");
  }

  for (const [query, expected] of [
    ["?backend=wasm", ["wasm"]],
    // The automatic choice: WebGL, unless it is a software rasteriser as SwiftShader here, then WASM.
    ["", ["wasm"]],
  ] as const) {
    test(`Fast stylisation ${query ? `pinned to ${query.slice(9)}` : "on the automatic backend"}: result, backend and timing shown`, async () => {
      const page = await browser.newPage();
      const problems = await watchPageProblems(page);
      await openPage(page, query);
      const backend = await page.getByTestId("backend").textContent();
      expect(expected as readonly string[]).toContain(backend);
      await page.getByTestId("run").click();
      await page.getByTestId("result").waitFor({ timeout: 90_000 });
      expect(await page.getByTestId("message").textContent()).toBe("");
      const timing = (await page.getByTestId("timing").textContent()) ?? "";
      expect(timing).toMatch(/^\d+ ms$/);
      expect(Number.parseInt(timing, 10)).toBeGreaterThan(0);
      const check = await page.evaluate(() => {
        const result = document.querySelector<HTMLCanvasElement>("[data-testid=result]")!;
        const content = document.querySelector<HTMLCanvasElement>("#content-preview")!;
        const a = result.getContext("2d")!.getImageData(0, 0, result.width, result.height).data;
        const b = content.getContext("2d")!.getImageData(0, 0, content.width, content.height).data;
        let sum = 0;
        let min = 255;
        let max = 0;
        for (let i = 0; i < a.length; i++) {
          if (i % 4 === 3) continue;
          sum += Math.abs(a[i]! - (b[i] ?? 0));
          min = Math.min(min, a[i]!);
          max = Math.max(max, a[i]!);
        }
        return { width: result.width, height: result.height, mad: sum / ((a.length / 4) * 3), min, max };
      });
      console.log(`static page (${backend}): ${timing} for ${check.width}x${check.height}, mean difference from the content ${check.mad.toFixed(1)}/255`);
      expect({ width: check.width, height: check.height }).toEqual(contentSize);
      // A stylised picture: not the content passed through, and not flat.
      expect(check.mad).toBeGreaterThan(10);
      expect(check.max - check.min).toBeGreaterThan(100);
      expect(await problems()).toEqual([]);
      await page.close();
    }, 180_000);
  }

  test("the live camera (Chromium's fake camera) is stylised at a measured frame rate", async () => {
    const context = await browser.newContext({ permissions: ["camera"] });
    const page = await context.newPage();
    const problems = await watchPageProblems(page);
    await openPage(page, "?backend=wasm");
    await page.getByTestId("camera-start").click();
    // The first report comes after a second of frames.
    await page.waitForFunction(() => document.querySelector<HTMLElement>("[data-testid=fps]")?.dataset.fps !== undefined, undefined, { timeout: 60_000 });
    await page.waitForTimeout(3000);
    const fps = Number(await page.getByTestId("fps").getAttribute("data-fps"));
    const side = Number(await page.getByTestId("camera-side").textContent());
    await page.getByTestId("camera-stop").click();
    const frames = Number(await page.getByTestId("camera-frames").textContent());
    const lit = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>("[data-testid=camera-output]")!;
      const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! + pixels[i + 1]! + pixels[i + 2]! > 30) n++;
      return n;
    });
    console.log(`static page camera (wasm): ${fps.toFixed(1)} frames/s at ${side} px, ${frames} frames`);
    expect(await page.getByTestId("message").textContent()).toBe("");
    expect(fps).toBeGreaterThan(0);
    expect(frames).toBeGreaterThan(0);
    expect(side).toBeGreaterThanOrEqual(64);
    expect(lit).toBeGreaterThan(0);
    // Stopped means stopped: no frame after the click.
    await page.waitForTimeout(1000);
    expect(Number(await page.getByTestId("camera-frames").textContent())).toBe(frames);
    expect(await problems()).toEqual([]);
    await context.close();
  }, 180_000);
});
