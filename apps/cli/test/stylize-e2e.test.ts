/**
 * One real run of `pastiche stylize` with the VGG19 weights, at 64 px and 3 iterations (a few
 * seconds). Only when PASTICHE_MODELS_DIR points at the weights.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { readImage, readPngText } from "@pastiche/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONTENT_SIZE,
  assertBuilt,
  lines,
  makeTempDir,
  removeDir,
  runCli,
  tempLeftovers,
  writeFixtures,
  type CliResult,
  type Fixtures,
} from "./helpers.js";

const SIZE = 64;
const EXPECTED = { width: SIZE, height: Math.round((CONTENT_SIZE.height * SIZE) / CONTENT_SIZE.width) };

describe.skipIf(!process.env.PASTICHE_MODELS_DIR)("pastiche stylize: a real run (PASTICHE_MODELS_DIR)", () => {
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
      ["stylize", fx.content, fx.style, "-o", output, "--size", String(SIZE), "--iterations", "3", "--json", "--save-every", "2"],
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
      options: { size: number; iterations: number };
    } | null;
    expect(settings).not.toBeNull();
    expect(settings?.content).toBe(fx.content);
    expect(settings?.styles).toEqual([fx.style]);
    expect(settings?.options).toMatchObject({ size: SIZE, iterations: 3 });
  });
});
