/**
 * `pastiche stylize` with bad input: every case must print exactly one `pastiche: error: …` line that
 * names the problem, exit non-zero, and leave nothing in the output directory (no image, no preview,
 * no `.pastiche-tmp-*`). PASTICHE_MODELS_DIR points at an empty directory, so a case that got as far
 * as loading the model would fail with "not found" and exit code 3 instead of its own error: the
 * option and input checks are shown to run before any model is loaded.
 */
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseGatysOptions } from "@pastiche/core";
import { RUN_SETTINGS_KEY, formatRunSettings, hashRunInputs, writeImage } from "@pastiche/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneErrorLine, removeDir, runCli, writeLayersModel, testPattern, type CliResult, type Fixtures, makeWorkspace } from "./helpers.js";

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

let root: string | undefined;
let fx: Fixtures;
let emptyModels: string;

beforeAll(async () => {
  ({ root, fx, emptyModels } = await makeWorkspace());
});

afterAll(async () => {
  await removeDir(root);
});

let runs = 0;

/**
 * Runs `stylize <inputs> -o <fresh dir>/<outName> …flags` and checks that the output directory is
 * still empty afterwards.
 */
async function stylize(inputs: (f: Fixtures) => string[], flags: string[] = [], outName = "out.png"): Promise<CliResult & { outDir: string; output: string }> {
  const outDir = path.join(root!, `out-${++runs}`);
  await mkdir(outDir);
  const output = path.join(outDir, outName);
  const result = await runCli(["stylize", ...inputs(fx), "-o", output, "--save-every", "1", ...flags], {
    env: { PASTICHE_MODELS_DIR: emptyModels },
  });
  expect(await readdir(outDir), "the output directory must stay empty").toEqual([]);
  expect(result.stdout).toBe("");
  return { ...result, outDir, output };
}

describe.concurrent("pastiche stylize: bad input fails with one line, before any model load", () => {
  it("missing content file", async () => {
    const r = await stylize((f) => [path.join(f.dir, "missing.jpg"), f.style]);
    expectOneErrorLine(r, new RegExp(`Image file ${escape(path.join(fx.dir, "missing.jpg"))} not found`), 2);
  });

  it("missing style file", async () => {
    const r = await stylize((f) => [f.content, path.join(f.dir, "nostyle.png")]);
    expectOneErrorLine(r, /nostyle\.png not found/, 2);
  });

  it("zero-byte file", async () => {
    const r = await stylize((f) => [f.empty, f.style]);
    expectOneErrorLine(r, /empty\.jpg is empty \(0 bytes\)/, 2);
  });

  it("a text file named .jpg", async () => {
    const r = await stylize((f) => [f.text, f.style]);
    expectOneErrorLine(r, /notes\.jpg is not a JPEG, PNG, WebP or TIFF image/, 2);
  });

  it("a truncated JPEG", async () => {
    const r = await stylize((f) => [f.truncated, f.style]);
    expectOneErrorLine(r, /truncated\.jpg is truncated/, 2);
  });

  it("an image above the pixel limit (--max-input-pixels)", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--max-input-pixels", "1000"]);
    expectOneErrorLine(r, /content\.jpg is too large: 64x48 \(3,072 pixels\) exceeds the limit of 1,000 pixels/, 2);
  });

  it("an invalid --max-input-pixels", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--max-input-pixels", "0"]);
    expectOneErrorLine(r, /--max-input-pixels: must be at least 1, got 0$/, 2);
  });

  it("an unknown layer name", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--style-layers", "relu1_1,relu9_1"]);
    expectOneErrorLine(r, /unknown VGG19 layer "relu9_1"/, 2);
  });

  it("a non-numeric weight", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--style-weight", "abc"]);
    expectOneErrorLine(r, /^pastiche: error: --style-weight: expected a number, got "abc"$/, 2);
  });

  it("a negative weight", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--content-weight", "-1"]);
    expectOneErrorLine(r, /^pastiche: error: --content-weight: must be at least 0, got -1$/, 2);
  });

  it("an unknown --preserve-colors mode", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--preserve-colors", "sepia"]);
    expectOneErrorLine(r, /--preserve-colors/, 2);
  });

  it("a --style-scale above 4", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--style-scale", "5"]);
    expectOneErrorLine(r, /^pastiche: error: --style-scale: must be at most 4, got 5$/, 2);
  });

  it("an --average decay of 1", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--average", "1"]);
    expectOneErrorLine(r, /^pastiche: error: --average: must be below 1, got 1$/, 2);
  });

  it("a bad --scales", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--scales", "many"]);
    expectOneErrorLine(r, /^pastiche: error: --scales: expected auto, off or a whole number of stages, got "many"$/, 2);
  });

  it("a bad --tile-size or --max-memory", async () => {
    const tile = await stylize((f) => [f.content, f.style], ["--tile-size", "10"]);
    expectOneErrorLine(tile, /^pastiche: error: --tile-size: expected auto, off or a whole number of pixels \(at least 64\), got "10"$/, 2);
    const memory = await stylize((f) => [f.content, f.style], ["--max-memory", "lots"]);
    expectOneErrorLine(memory, /^pastiche: error: --max-memory: expected a size such as 6GB or 512MB, got "lots"$/, 2);
  });

  it("tiles with L-BFGS, refused before any work", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--tile-size", "64", "--size", "160", "--optimizer", "lbfgs"]);
    expectOneErrorLine(r, /in 64 px tiles, which needs the Adam optimizer/, 2);
  });

  it("a missing --mask file (the flag is not greedy: the style after it stays a style)", async () => {
    const r = await stylize((f) => [f.content, "--mask", path.join(f.dir, "nomask.png"), f.style]);
    expectOneErrorLine(r, /nomask\.png not found/, 2);
  });

  it("a missing mask among comma-separated --mask files", async () => {
    const r = await stylize((f) => [f.content, f.style, f.style], ["--mask", `${fx.style},${path.join(fx.dir, "nomask2.png")}`]);
    expectOneErrorLine(r, /nomask2\.png not found/, 2);
  });

  it("a --mask count that does not match the style images", async () => {
    const r = await stylize((f) => [f.content, f.style, f.style], ["--mask", fx.style]);
    expectOneErrorLine(r, /^pastiche: error: --mask: 1 style masks for 2 style images \(give one per style, in order\)$/, 2);
  });

  it("an unknown flag", async () => {
    const r = await stylize((f) => [f.content, f.style], ["--colour", "red"]);
    expectOneErrorLine(r, /Nonexistent flag: --colour/, 2);
  });

  it("an output path in a directory that does not exist", async () => {
    const r = await stylize((f) => [f.content, f.style], [], path.join("no-such-dir", "out.png"));
    expectOneErrorLine(r, /Cannot write .*out\.png: directory .*no-such-dir does not exist/, 2);
  });

  it("an unsupported output extension (.gif)", async () => {
    const r = await stylize((f) => [f.content, f.style], [], "out.gif");
    expectOneErrorLine(r, /Cannot write .*out\.gif: unsupported extension "\.gif"/, 2);
  });

  it("missing weights: names the model and where it looked, exit code 3", async () => {
    const r = await stylize((f) => [f.content, f.style]);
    const line = expectOneErrorLine(r, /VGG19 ImageNet weights \(vgg19\) not found/, 3);
    expect(line).toContain(`models directory ${emptyModels} (from PASTICHE_MODELS_DIR)`);
    expect(line).toContain(`looked at ${path.join(emptyModels, "vgg19-notop-uint8", "model.json")}`);
    expect(line).toContain("pastiche models download vgg19");
  });

  it("corrupt weights: a shard shorter than the manifest says (--weights)", async () => {
    const dir = await writeLayersModel(
      path.join(root!, "weights-short"),
      [
        { name: "block1_conv1/kernel", shape: [3, 3, 3, 64] },
        { name: "block1_conv1/bias", shape: [64] },
      ],
      100,
    );
    const r = await stylize((f) => [f.content, f.style], ["--weights", dir]);
    expectOneErrorLine(r, /model\.json: weights shard "group1-shard1of1\.bin" is 100 bytes, expected 7168 .*truncated or corrupt/, 3);
  });

  it("corrupt weights: a kernel of the wrong shape (--weights)", async () => {
    const dir = await writeLayersModel(path.join(root!, "weights-shape"), [
      { name: "block1_conv1/kernel", shape: [3, 3, 3, 32] },
      { name: "block1_conv1/bias", shape: [64] },
    ]);
    const r = await stylize((f) => [f.content, f.style], ["--weights", dir]);
    expectOneErrorLine(r, /model\.json: VGG19 weights do not fit: block1_conv1: kernel has shape \[3,3,3,32\], expected \[3,3,3,64\]/, 3);
  });
});

/** A PNG carrying the settings of a run on private copies of the fixtures (so a test can change them). */
async function recordedRun(name: string): Promise<{ png: string; content: string; style: string }> {
  const dir = path.join(root!, name);
  await mkdir(dir);
  const content = path.join(dir, "content.jpg");
  const style = path.join(dir, "style.png");
  await copyFile(fx.content, content);
  await copyFile(fx.style, style);
  const png = path.join(dir, "recorded.png");
  const settings = {
    content,
    styles: [style],
    options: parseGatysOptions({ size: 32, iterations: 2, seed: 5 }),
    sha256: await hashRunInputs({ content, styles: [style], init: { kind: "content" } }),
    versions: { pastiche: "test" },
    backend: "wasm",
  };
  await writeImage(png, testPattern(4, 4), { text: { [RUN_SETTINGS_KEY]: formatRunSettings(settings) } });
  return { png, content, style };
}

describe.concurrent("pastiche stylize --from", () => {
  it("unchanged inputs: reads the settings and gets as far as the model load", async () => {
    const { png } = await recordedRun("from-ok");
    const r = await stylize(() => [], ["--from", png]);
    expectOneErrorLine(r, /VGG19 ImageNet weights \(vgg19\) not found/, 3);
  });

  it("a changed input fails naming it (exit 2)", async () => {
    const { png, style } = await recordedRun("from-changed");
    await writeFile(style, "not the same file");
    const r = await stylize(() => [], ["--from", png]);
    expectOneErrorLine(r, new RegExp(`style image ${escape(style)} is not the file ${escape(png)} was made from`), 2);
  });

  it("a PNG without settings", async () => {
    const r = await stylize(() => [], ["--from", fx.style]);
    expectOneErrorLine(r, /has no pastiche:settings text/, 2);
  });

  it("no inputs and no --from", async () => {
    const r = await stylize(() => []);
    expectOneErrorLine(r, /give a content image and at least one style image/, 2);
  });
});
