/**
 * The core README's browser example, as written, runs in Chromium: the fenced block after
 * `<!-- browser-test: core-browser-example -->` is bundled by Vite as the page's module, beside
 * `<img id="content">`, `<img id="style">`, `<canvas id="out">` and models/ on a plain static
 * server. Its canvas must hold the stylised image Node computes from the same PNGs (core on WASM),
 * within 2/255, with nothing on the console. The one change: `size: 512` becomes 128, since WebGL
 * here is SwiftShader (a software rasteriser: ~1 min at 512 px).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { build, type Plugin } from "vite";
import { stylizeFast, type RgbImage } from "@pastiche/core";
import { initBackend, loadFastStyleModels, readImage, writeImage } from "@pastiche/node";
import { describeNeeding, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { meanAbsoluteDifference } from "./compare.ts";
import { launchChromium, watchPageProblems } from "./chromium.ts";
import { serveStatic } from "./staticServer.ts";
import { tearDown } from "./teardown.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const README = path.resolve(HERE, "../../../../packages/core/README.md");
const NEEDS = [needs.chromium(), needs.models("magenta-arbitrary-tflite"), needs.sharedImages()];
const TEST_SIZE = 128;

/** The js block right after `<!-- browser-test: NAME -->` in a README. */
function readmeExample(readme: string, name: string): string {
  const match = new RegExp(`<!-- browser-test: ${name}\\b[^>]*-->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(readFileSync(readme, "utf8"));
  if (!match) throw new Error(`${readme}: no js block after <!-- browser-test: ${name} -->`);
  return match[1]!;
}

/** The example as the page's module, then the backend it ran on, for the test to wait on (the example's top-level awaits finish first). */
function exampleModules(example: string): Plugin {
  const ids = { entry: "\0readme-entry", example: "\0readme-example" };
  return {
    name: "readme-example",
    resolveId: (id) => (path.basename(id) === "readme-entry" ? ids.entry : id === "readme-example" ? ids.example : undefined),
    load: (id) =>
      id === ids.entry
        ? 'import { getBackend } from "@tensorflow/tfjs-core";\nimport "readme-example";\nglobalThis.readmeExampleFinished = getBackend();\n'
        : id === ids.example
          ? example
          : undefined,
  };
}

describeNeeding(NEEDS, "the core README's browser example in Chromium", () => {
  let work: string;
  let server: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let nodeResult: RgbImage;
  let content: RgbImage;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "pastiche-readme-browser-"));
    const site = path.join(work, "site");
    const example = readmeExample(README, "core-browser-example");
    const sized = example.replace("options: { size: 512 }", `options: { size: ${TEST_SIZE} }`);
    expect(sized, "the example's `options: { size: 512 }` (the test shrinks it)").not.toBe(example);
    await build({
      configFile: false,
      root: HERE, // bare imports in the example resolve from the web app's dependencies
      logLevel: "warn",
      plugins: [exampleModules(sized)],
      define: { "process.env.NODE_ENV": '"production"' },
      build: { outDir: site, emptyOutDir: true, minify: false, lib: { entry: path.join(HERE, "readme-entry"), formats: ["es"], fileName: () => "example.js" } },
    });

    // Test-made PNGs (one decoder's pixels for both sides), at sizes the example keeps as they are.
    const images = sharedImagesDir()!;
    content = await readImage(path.join(images, "content", "sailboat.jpg"), { longestSide: TEST_SIZE });
    const style = await readImage(path.join(images, "style", "starry_night.jpg"), { longestSide: 256 });
    await writeImage(path.join(site, "content.png"), content);
    await writeImage(path.join(site, "style.png"), style);
    writeFileSync(
      path.join(site, "index.html"),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><img id="content" src="content.png"><img id="style" src="style.png"><canvas id="out"></canvas><script type="module" src="example.js"></script>',
    );
    const magenta = path.join(modelsDir()!, "magenta-arbitrary-tflite");
    server = await serveStatic({ "/models/": magenta, "/": site });

    // The reference: the same PNGs and models through core on WASM in Node.
    await initBackend("wasm");
    const { models } = await loadFastStyleModels({
      predictorPath: path.join(magenta, "style_predict_quantized_256.tflite"),
      transferPath: path.join(magenta, "style_transfer_quantized_384.tflite"),
    });
    const [c, s] = await Promise.all([readImage(path.join(site, "content.png")), readImage(path.join(site, "style.png"))]);
    for await (const event of stylizeFast({ content: c, styles: [s], models, options: { size: TEST_SIZE }, cache: null }))
      if (event.type === "done") nodeResult = event.image;
    models.dispose();

    browser = await launchChromium();
  }, 240_000);

  afterAll(() => tearDown(browser, server, work));

  test("draws the stylised image on its canvas, as Node computes it, with no console error", async () => {
    const page = await browser.newPage();
    const problems = await watchPageProblems(page);
    const consoleErrors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    await page.goto(server.url);
    await page.waitForFunction(
      () => "readmeExampleFinished" in globalThis || (globalThis as unknown as { uncaughtErrors: number }).uncaughtErrors > 0,
      undefined,
      {
        timeout: 150_000,
      },
    );
    const out = await page.evaluate(() => {
      const canvas = document.getElementById("out") as HTMLCanvasElement;
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      const rgb: number[] = [];
      for (let i = 0; i < data.length; i += 4) rgb.push(data[i]!, data[i + 1]!, data[i + 2]!);
      return { width: canvas.width, height: canvas.height, rgb, backend: (globalThis as unknown as { readmeExampleFinished?: string }).readmeExampleFinished };
    });
    const seen = await problems();
    await page.close();

    expect(consoleErrors).toEqual([]);
    expect(seen).toEqual([]);
    expect(out.backend).toBe("webgl");
    expect([out.width, out.height]).toEqual([nodeResult.width, nodeResult.height]);
    const mad = meanAbsoluteDifference(out.rgb, nodeResult.data);
    console.log(`README browser example on ${out.backend}: ${out.width}×${out.height}, mean absolute difference ${mad.toFixed(3)}/255 vs Node WASM`);
    expect(mad).toBeLessThanOrEqual(2);
    expect(meanAbsoluteDifference(out.rgb, content.data)).toBeGreaterThan(10);
  }, 180_000);
});
