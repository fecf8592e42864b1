/**
 * Gatys in Chromium: core's public API loads VGG19 from a served tfjs layers model
 * (loadLayersModelWeightsFromUrl: model.json + 20 uint8 shards over HTTP) and runs a few iterations at
 * 64 px through stylizeGatys on the browser's WASM backend; the loss falls. WebGL is left out: on
 * SwiftShader (no GPU here) the same 5 iterations did not finish in 3 minutes (VGG19's forward and
 * backward shaders compile in software), against ~15 s on WASM.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { build } from "vite";
import type { RgbImage } from "@pastiche/core";
import { readImage } from "@pastiche/node";
import { describeNeeding, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium, watchPageProblems } from "./chromium.ts";
import type { GatysPageRun, runGatys } from "./gatysEntry.ts";
import { serveStatic } from "./staticServer.ts";
import { tearDown } from "./teardown.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NEEDS = [needs.chromium(), needs.models("vgg19-notop-uint8"), needs.sharedImages()];
const SIDE = 64;
const ITERATIONS = 5;

const plain = (image: RgbImage) => ({ width: image.width, height: image.height, data: Array.from(image.data) });

describeNeeding(NEEDS, "Gatys in Chromium: VGG19 by URL, the loss falls", () => {
  let work: string;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let content: RgbImage;
  let style: RgbImage;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "pastiche-gatys-browser-"));
    const bundleDir = path.join(work, "bundle");
    await build({
      configFile: false,
      logLevel: "warn",
      define: { "process.env.NODE_ENV": '"production"' },
      build: {
        outDir: bundleDir,
        emptyOutDir: true,
        minify: false,
        lib: { entry: path.join(HERE, "gatysEntry.ts"), formats: ["es"], fileName: () => "gatys.js" },
      },
    });
    writeFileSync(path.join(bundleDir, "index.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="gatys.js"></script>');
    const wasmDir = path.dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    server = await serveStatic({ "/models/": modelsDir()!, "/tfjs-wasm/": wasmDir, "/": bundleDir });
    const images = sharedImagesDir()!;
    content = await readImage(path.join(images, "content", "sailboat.jpg"), { longestSide: SIDE });
    style = await readImage(path.join(images, "style", "starry_night.jpg"), { longestSide: SIDE });
    browser = await launchChromium();
  }, 240_000);

  afterAll(() => tearDown(browser, server, work));

  for (const backend of ["wasm"] as const) {
    test(`${backend}: ${ITERATIONS} iterations at ${SIDE} px lower the loss`, async () => {
      const page = await browser.newPage();
      const problems = await watchPageProblems(page);
      await page.goto(server.url);
      await page.waitForFunction(() => "pasticheGatys" in globalThis);
      const run: GatysPageRun = await page.evaluate(
        async ({ backend, content, style, iterations }) => {
          const runGatysInPage = (globalThis as unknown as { pasticheGatys: typeof runGatys }).pasticheGatys;
          const rgb = (i: { width: number; height: number; data: number[] }) => ({ width: i.width, height: i.height, data: Uint8Array.from(i.data) });
          return runGatysInPage({
            backend,
            modelUrl: "/models/vgg19-notop-uint8/model.json",
            content: rgb(content),
            style: rgb(style),
            options: { size: Math.max(content.width, content.height), iterations, scales: "off", seed: 1 },
          });
        },
        { backend, content: plain(content), style: plain(style), iterations: ITERATIONS },
      );
      expect(await problems()).toEqual([]);
      await page.close();
      console.log(
        `Gatys in Chromium (${run.backend}): VGG19 loaded in ${run.loadMs.toFixed(0)} ms, ${ITERATIONS} iterations in ${run.runMs.toFixed(0)} ms; loss ${run.losses.map((l) => l.toExponential(3)).join(" → ")}`,
      );
      expect(run.backend).toBe(backend);
      expect(run.losses).toHaveLength(ITERATIONS);
      expect(run.losses.every(Number.isFinite)).toBe(true);
      expect(run.losses.at(-1)!).toBeLessThan(run.losses[0]! * 0.9);
      expect([run.width, run.height]).toEqual([content.width, content.height]);
      // The image moved away from the content it started from.
      expect(run.changed).toBeGreaterThan(1);
    }, 180_000);
  }
});
