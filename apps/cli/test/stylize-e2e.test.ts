/**
 * One real run of `pastiche stylize` with the VGG19 weights, at 64 px and 3 iterations (a few
 * seconds). Only when PASTICHE_MODELS_DIR points at the weights.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { readImage, readPngText, writeImage } from "@pastiche/node";
import { NO_WEIGHTS, describeNeeding } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CONTENT_SIZE, assertBuilt, lines, makeTempDir, removeDir, runCli, tempLeftovers, writeFixtures, type CliResult, type Fixtures } from "./helpers.js";

const SIZE = 64;
const EXPECTED = { width: SIZE, height: Math.round((CONTENT_SIZE.height * SIZE) / CONTENT_SIZE.width) };

describeNeeding([process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS], "pastiche stylize: a real run (PASTICHE_MODELS_DIR)", () => {
  let root: string | undefined;
  let fx: Fixtures;
  let outDir: string;
  let output: string;
  let result: CliResult;

  beforeAll(async () => {
    assertBuilt();
    root = await makeTempDir();
    fx = await writeFixtures(path.join(root, "inputs"));
    outDir = root;
    output = path.join(outDir, "out.png");
    result = await runCli(
      [
        "stylize",
        fx.content,
        fx.style,
        "-o",
        output,
        "--size",
        String(SIZE),
        "--iterations",
        "3",
        "--json",
        "--save-every",
        "2",
        "--preserve-colors",
        "luminance",
      ],
      { timeoutMs: 110_000 },
    );
  });

  afterAll(async () => {
    await removeDir(root);
  });

  it("exits 0", () => {
    expect(result.code, result.stderr).toBe(0);
  });

  it("prints one JSON object per line: start, 3 iterations, done", () => {
    const events = lines(result.stdout).map((l) => JSON.parse(l) as { type: string; iteration?: number; image?: unknown });
    expect(events.map((e) => e.type)).toEqual(["start", "iteration", "iteration", "iteration", "done"]);
    expect(events.filter((e) => e.type === "iteration").map((e) => e.iteration)).toEqual([1, 2, 3]);
    expect(events.at(-1)?.image).toEqual(EXPECTED);
  });

  it("writes the output at --size on its longest side, and the preview out-0002.png", async () => {
    const image = await readImage(output);
    expect({ width: image.width, height: image.height }).toEqual(EXPECTED);
    const preview = await readImage(path.join(outDir, "out-0002.png"));
    expect({ width: preview.width, height: preview.height }).toEqual(EXPECTED);
    expect(await tempLeftovers(outDir)).toEqual([]);
  });

  it("records the settings in a PNG text chunk", async () => {
    const text = readPngText(await readFile(output));
    expect(text["Software"]).toMatch(/^pastiche /);
    const settings = JSON.parse(text["pastiche:settings"] ?? "null") as {
      content: string;
      styles: string[];
      options: { size: number; iterations: number; preserveColors: string };
    } | null;
    expect(settings).not.toBeNull();
    expect(settings?.content).toBe(fx.content);
    expect(settings?.styles).toEqual([fx.style]);
    expect(settings?.options).toMatchObject({ size: SIZE, iterations: 3, preserveColors: "luminance" });
  });
});

describeNeeding([process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS], "pastiche stylize: new controls and --from (PASTICHE_MODELS_DIR)", () => {
  let root: string | undefined;
  let fx: Fixtures;
  let first: CliResult;
  let again: CliResult;
  let output: string;
  let rerun: string;

  beforeAll(async () => {
    assertBuilt();
    root = await makeTempDir();
    fx = await writeFixtures(path.join(root, "inputs"));
    output = path.join(root, "out.png");
    rerun = path.join(root, "again.png");
    first = await runCli(
      [
        "stylize",
        fx.content,
        fx.style,
        "-o",
        output,
        "--size",
        String(SIZE),
        "--iterations",
        "2",
        "--scales",
        "2",
        "--min-size",
        "32",
        "--iterations-per-scale",
        "2",
        "--average",
        "0.9",
        "--style-scale",
        "0.75",
        "--preserve-colors",
        "histogram",
        "--init",
        "noise",
        "--json",
      ],
      { timeoutMs: 110_000 },
    );
    again = await runCli(["stylize", "--from", output, "-o", rerun, "--json"], { timeoutMs: 110_000 });
  });

  afterAll(async () => {
    await removeDir(root);
  });

  it("runs coarse to fine: two stages, iterations numbered across them, full-size output", () => {
    expect(first.code, first.stderr).toBe(0);
    const events = lines(first.stdout).map((l) => JSON.parse(l) as { type: string; stages?: { width: number }[]; stage?: { index: number }; image?: unknown });
    expect(events[0]?.stages?.map((s) => s.width)).toEqual([32, SIZE]);
    expect(events.filter((e) => e.type === "iteration").map((e) => e.stage?.index)).toEqual([0, 0, 1, 1]);
    expect(events.at(-1)?.image).toEqual(EXPECTED);
  });

  it("records input hashes, versions and the seed used", async () => {
    const settings = JSON.parse(readPngText(await readFile(output))["pastiche:settings"] ?? "null") as {
      sha256: { content: string; styles: string[] };
      versions: Record<string, string>;
      options: Record<string, unknown>;
    };
    expect(settings.sha256.content).toMatch(/^[0-9a-f]{64}$/);
    expect(settings.sha256.styles).toHaveLength(1);
    expect(Object.keys(settings.versions)).toEqual(expect.arrayContaining(["pastiche", "tfjs", "node"]));
    expect(settings.options).toMatchObject({ scales: 2, minSize: 32, averaging: 0.9, styleScale: 0.75, preserveColors: "histogram" });
    expect(settings.options.seed).toEqual(expect.any(Number));
  });

  it("--from reruns the same inputs and options: the same image", async () => {
    expect(again.code, again.stderr).toBe(0);
    const a = await readImage(output);
    const b = await readImage(rerun);
    expect({ width: b.width, height: b.height }).toEqual(EXPECTED);
    expect(b.data).toEqual(a.data);
  });
});

describeNeeding([process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS], "pastiche stylize: regional styles with --mask (PASTICHE_MODELS_DIR)", () => {
  let root: string | undefined;
  let fx: Fixtures;
  let first: CliResult;
  let again: CliResult;
  let output: string;
  let rerun: string;
  let masks: string[];

  beforeAll(async () => {
    assertBuilt();
    root = await makeTempDir();
    fx = await writeFixtures(path.join(root, "inputs"));
    output = path.join(root, "out.png");
    rerun = path.join(root, "again.png");
    // Complementary left/right halves, at another aspect ratio than the content (stretched to it).
    masks = await Promise.all(
      [true, false].map(async (left, i) => {
        const data = new Uint8Array(20 * 20 * 3);
        for (let p = 0; p < 400; p++) data.fill(p % 20 < 10 === left ? 255 : 0, p * 3, p * 3 + 3);
        const file = path.join(root!, `mask-${i}.png`);
        await writeImage(file, { width: 20, height: 20, data });
        return file;
      }),
    );
    first = await runCli(
      [
        "stylize",
        fx.content,
        "--mask",
        masks[0]!,
        fx.style,
        fx.content,
        "--mask",
        masks[1]!,
        "-o",
        output,
        "--size",
        String(SIZE),
        "--iterations",
        "2",
        "--seed",
        "5",
        "--json",
      ],
      { timeoutMs: 110_000 },
    );
    again = await runCli(["stylize", "--from", output, "-o", rerun, "--json"], { timeoutMs: 110_000 });
  });

  afterAll(async () => {
    await removeDir(root);
  });

  it("runs with one mask per style and records the masks with their hashes", async () => {
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(lines(first.stdout).at(-1)!) as { image?: unknown }).image).toEqual(EXPECTED);
    const settings = JSON.parse(readPngText(await readFile(output))["pastiche:settings"] ?? "null") as {
      styles: string[];
      styleMasks: string[];
      sha256: { styleMasks: string[] };
    };
    expect(settings.styles).toEqual([fx.style, fx.content]);
    expect(settings.styleMasks).toEqual(masks);
    expect(settings.sha256.styleMasks).toHaveLength(2);
  });

  it("--from reruns it with the same masks: the same image", async () => {
    expect(again.code, again.stderr).toBe(0);
    expect((await readImage(rerun)).data).toEqual((await readImage(output)).data);
  });
});
