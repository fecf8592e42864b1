/**
 * core's Fast stylisation in Chromium (Debian's, via playwright-core) gives the same image as in Node
 * (core on WASM) within 2/255 mean absolute difference, on the browser's WASM, WebGL and WebGPU backends.
 * The engine is bundled by Vite and served, with the models (by manifest, with integrity) and the
 * tfjs WASM binaries, from a plain static server. WebGL and WebGPU here are SwiftShader (no GPU on CI).
 * Also: Chromium's fake camera stylised live at a measured frame rate.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { stylizeFast, type RgbImage } from "@pastiche/core";
import { initBackend, loadFastStyleModels, readImage } from "@pastiche/node";
import { describeNeeding, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { meanAbsoluteDifference } from "./compare.ts";
import { launchChromium } from "./chromium.ts";
import { serveStatic } from "./staticServer.ts";
import { tearDown } from "./teardown.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NEEDS = [needs.chromium(), needs.models("magenta-arbitrary-tflite"), needs.sharedImages()];
const PREDICTOR = "style_predict_quantized_256.tflite";
const TRANSFER = "style_transfer_f16_384.tflite";
const CONTENT_SIDE = 128;

describeNeeding(NEEDS, "core's Fast stylisation in Chromium matches Node", () => {
  let work: string;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let content: RgbImage;
  let style: RgbImage;
  let nodeResult: RgbImage;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "pastiche-browser-"));
    const bundleDir = path.join(work, "bundle");
    await build({
      configFile: false,
      logLevel: "warn",
      define: { "process.env.NODE_ENV": '"production"' },
      build: { outDir: bundleDir, emptyOutDir: true, minify: false, lib: { entry: path.join(HERE, "entry.ts"), formats: ["es"], fileName: () => "engine.js" } },
    });
    writeFileSync(path.join(bundleDir, "index.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="engine.js"></script>');

    const magenta = path.join(modelsDir()!, "magenta-arbitrary-tflite");
    const modelsOut = path.join(work, "models");
    mkdirSync(modelsOut);
    const entry = (name: string) => {
      const bytes = readFileSync(path.join(magenta, name));
      return { name, url: `files/${name}`, integrity: `sha256-${createHash("sha256").update(bytes).digest("base64")}`, bytes: bytes.length };
    };
    writeFileSync(path.join(modelsOut, "manifest.json"), JSON.stringify({ version: 1, fast: { predictor: entry(PREDICTOR), transfer: entry(TRANSFER) } }));
    const wasmDir = path.dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
    server = await serveStatic({ "/models/files/": magenta, "/models/": modelsOut, "/tfjs-wasm/": wasmDir, "/": bundleDir });

    const images = sharedImagesDir()!;
    content = await readImage(path.join(images, "content", "sailboat.jpg"), { longestSide: CONTENT_SIDE });
    style = await readImage(path.join(images, "style", "starry_night.jpg"), { longestSide: 256 });

    // The reference: core on WASM in Node, the same files and options.
    await initBackend("wasm");
    const { models } = await loadFastStyleModels({ predictorPath: path.join(magenta, PREDICTOR), transferPath: path.join(magenta, TRANSFER) });
    for await (const event of stylizeFast({ content, styles: [style], models, cache: null })) if (event.type === "done") nodeResult = event.image;
    models.dispose();

    // WebGPU needs a flag in Chromium on Linux; its adapter here is SwiftShader (Vulkan on the CPU).
    browser = await launchChromium(["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader", "--disable-gpu-watchdog"]);
  }, 240_000);

  afterAll(() => tearDown(browser, server, work));

  for (const backend of ["wasm", "webgl", "webgpu"] as const) {
    test(`${backend}: same image as Node within 2/255`, async () => {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.goto(server.url);
      await page.waitForFunction(() => "pasticheEngine" in globalThis);
      const result = await page.evaluate(
        async ({ backend, content, style }) => {
          type Engine = typeof import("../../src/browser/index.ts");
          const engine = (globalThis as unknown as { pasticheEngine: Engine }).pasticheEngine;
          const stylizer = await engine.createBrowserStylizer({ manifestUrl: "models/manifest.json", backends: [backend], wasmPath: "/tfjs-wasm/" });
          const rgb = (i: { width: number; height: number; data: number[] }) => ({ width: i.width, height: i.height, data: Uint8Array.from(i.data) });
          const first = await stylizer.stylizeRgb(rgb(content), rgb(style));
          const second = await stylizer.stylizeRgb(rgb(content), rgb(style));
          stylizer.dispose();
          return {
            backend: stylizer.backend,
            width: first.image.width,
            height: first.image.height,
            data: Array.from(first.image.data),
            ms: first.ms,
            secondPredicted: second.predicted,
          };
        },
        { backend, content: { ...content, data: Array.from(content.data) }, style: { ...style, data: Array.from(style.data) } },
      );
      await page.close();
      expect(pageErrors).toEqual([]);
      expect(result.backend).toBe(backend);
      expect([result.width, result.height]).toEqual([nodeResult.width, nodeResult.height]);
      // The style's bottleneck is cached: the second run does not predict again.
      expect(result.secondPredicted).toBe(false);
      const mad = meanAbsoluteDifference(result.data, nodeResult.data);
      console.log(`${backend}: mean absolute difference ${mad.toFixed(4)}/255 vs Node WASM, ${result.ms.toFixed(0)} ms in Chromium`);
      expect(mad).toBeLessThanOrEqual(2);
      // And the image is stylised, not the content passed through.
      expect(meanAbsoluteDifference(result.data, content.data)).toBeGreaterThan(10);
    }, 120_000);
  }

  test("the automatic choice puts WebGPU and WebGL last when they run on the CPU (SwiftShader here)", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "pasticheEngine" in globalThis);
    const seen = await page.evaluate(async () => {
      type Engine = typeof import("../../src/browser/index.ts");
      const engine = (globalThis as unknown as { pasticheEngine: Engine }).pasticheEngine;
      return {
        webgpu: await engine.softwareWebGpuAdapter(),
        webgl: engine.softwareWebglRenderer(),
        chosen: await engine.chooseBackend({ wasmPath: "/tfjs-wasm/" }),
      };
    });
    await page.close();
    expect(seen.webgpu).toMatch(/swiftshader/i);
    expect(seen.webgl).toMatch(/swiftshader/i);
    expect(seen.chosen).toBe("wasm");
  }, 60_000);

  test("a second visit downloads no model file (Cache API)", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const load = () =>
      page.evaluate(async () => {
        type Engine = typeof import("../../src/browser/index.ts");
        const engine = (globalThis as unknown as { pasticheEngine: Engine }).pasticheEngine;
        (await engine.createBrowserStylizer({ manifestUrl: "models/manifest.json", backends: ["wasm"], wasmPath: "/tfjs-wasm/" })).dispose();
      });
    const modelRequests = () => server.requests.filter((r) => r.startsWith("/models/files/")).length;
    await page.goto(server.url);
    await page.waitForFunction(() => "pasticheEngine" in globalThis);
    const before = modelRequests();
    await load();
    expect(modelRequests() - before).toBe(2);
    await page.reload();
    await page.waitForFunction(() => "pasticheEngine" in globalThis);
    await load();
    expect(modelRequests() - before).toBe(2);
    await context.close();
  }, 120_000);

  test("the fake camera is stylised live at a measured frame rate", async () => {
    const context = await browser.newContext({ permissions: ["camera"] });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => "pasticheEngine" in globalThis);
    const result = await page.evaluate(
      async ({ style }) => {
        type Engine = typeof import("../../src/browser/index.ts");
        const engine = (globalThis as unknown as { pasticheEngine: Engine }).pasticheEngine;
        const stylizer = await engine.createBrowserStylizer({ manifestUrl: "models/manifest.json", backends: ["wasm"], wasmPath: "/tfjs-wasm/" });
        const video = document.createElement("video");
        video.muted = true;
        video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
        await video.play();
        const canvas = document.createElement("canvas");
        document.body.append(canvas);
        const styleImage = new ImageData(new Uint8ClampedArray(style.width * style.height * 4), style.width, style.height);
        for (let i = 0; i < style.width * style.height; i++) {
          styleImage.data.set([style.data[i * 3]!, style.data[i * 3 + 1]!, style.data[i * 3 + 2]!, 255], i * 4);
        }
        const reports: { fps: number; side: number }[] = [];
        const errors: string[] = [];
        const camera = engine.startCameraStylizer(video, canvas, styleImage, stylizer, {
          onFps: (fps, side) => reports.push({ fps, side }),
          onError: (e) => errors.push(`${e.code}: ${e.message}`),
        });
        await new Promise((resolve) => setTimeout(resolve, 5000));
        camera.stop();
        const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        let lit = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! + pixels[i + 1]! + pixels[i + 2]! > 30) lit++;
        return { frames: camera.frames, reports, errors, width: canvas.width, lit };
      },
      { style: { ...style, data: Array.from(style.data) } },
    );
    await context.close();
    expect(pageErrors).toEqual([]);
    expect(result.errors).toEqual([]);
    console.log(`camera (wasm): ${result.frames} frames in 5 s; fps/side reports ${result.reports.map((r) => `${r.fps.toFixed(1)}@${r.side}`).join(", ")}`);
    expect(result.frames).toBeGreaterThan(2);
    expect(result.reports.length).toBeGreaterThan(0);
    expect(result.reports.at(-1)!.fps).toBeGreaterThan(0);
    // The output canvas holds a stylised frame, not a blank one.
    expect(result.lit).toBeGreaterThan(0);
  }, 120_000);
});
