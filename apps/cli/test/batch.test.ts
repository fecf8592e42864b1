/**
 * #14 batches: `stylize`/`fast` CONTENT... --style STYLE... -o DIR. The naming and expansion rules
 * as units; the batch itself spawned as a user runs it, on real weights at 64 px with two
 * iterations: 3 contents (one unreadable) × 2 styles, a rerun that skips what exists, and a batch
 * interrupted by SIGTERM resumed by running it again.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { readPngText, writeImage } from "@pastiche/node";
import { NO_WEIGHTS, describeNeeding, itNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandInputs, planBatch } from "../src/lib/batch.js";
import { expectOneErrorLine, lines, makeWorkspace, removeDir, runCli, spawnJsonLines, tempLeftovers, testPattern, type Fixtures } from "./helpers.js";

let root: string | undefined;
let fx: Fixtures;
let inputs: string; // 3 contents, one of them unreadable
let styles: [string, string];
const sha = async (p: string) =>
  createHash("sha256")
    .update(await readFile(p))
    .digest("hex");

beforeAll(async () => {
  ({ root, fx } = await makeWorkspace());
  inputs = path.join(root, "contents");
  await mkdir(inputs);
  await writeImage(path.join(inputs, "a.jpg"), testPattern(64, 48, 2));
  await writeImage(path.join(inputs, "b.png"), testPattern(48, 64, 3));
  await writeFile(path.join(inputs, "c.jpg"), "not an image, although named .jpg\n");
  await writeFile(path.join(inputs, "notes.txt"), "not an image and not named like one: ignored\n");
  styles = [fx.style, path.join(root, "style2.png")];
  await writeImage(styles[1], testPattern(40, 40, 9));
});
afterAll(async () => {
  await removeDir(root);
});

describe("batch naming and inputs", () => {
  it("expands files, directories (their image files, sorted) and globs, each once; a pattern matching nothing is refused", async () => {
    const dir = inputs;
    expect(await expandInputs([dir, path.join(dir, "a.jpg")], "content")).toEqual(["a.jpg", "b.png", "c.jpg"].map((n) => path.join(dir, n)));
    expect(await expandInputs([path.join(dir, "*.png")], "content")).toEqual([path.join(dir, "b.png")]);
    await expect(expandInputs([path.join(dir, "*.gif")], "style")).rejects.toThrow(/style pattern .*\*\.gif matches no file/);
    await expect(expandInputs(["-"], "content")).rejects.toThrow(/standard input \(-\) cannot be a content of a batch/);
  });

  it("names outputs by the template and refuses unknown placeholders, paths, bad extensions and clashes", () => {
    const pairs = planBatch(["x/a.jpg", "x/b.png"], ["s/wave.jpg"], "out", "{n}_{content}-{style}.webp");
    expect(pairs.map((p) => p.output)).toEqual([path.join("out", "1_a-wave.webp"), path.join("out", "2_b-wave.webp")]);
    expect(() => planBatch(["a.jpg"], ["s.jpg"], "out", "{contnet}.png")).toThrow("unknown placeholder {contnet} (use {content}, {style}, {n})");
    expect(() => planBatch(["a.jpg"], ["s.jpg"], "out", "sub/{content}.png")).toThrow("a file name (the directory is -o), not a path");
    expect(() => planBatch(["a.jpg"], ["s.jpg"], "out", "{content}.gif")).toThrow("end it in one of .png");
    expect(() => planBatch(["x/a.jpg", "y/a.jpg"], ["s.jpg"], "out", "{content}-{style}.png")).toThrow(
      `gives ${path.join("out", "a-s.png")} to both x/a.jpg × s.jpg and y/a.jpg × s.jpg: make the names differ (e.g. add {n})`,
    );
  });

  it("refuses a batch it cannot do before any model loads (exit 2, one line, nothing written)", async () => {
    const out = path.join(root!, "refused");
    await mkdir(out);
    const cases: [string[], RegExp][] = [
      [["stylize", fx.content, fx.style, "-o", out], /-o .*refused is a directory, which means batch mode: give the style images with --style/],
      [
        ["stylize", fx.content, "--style", fx.style, "-o", path.join(root!, "x.png")],
        /--style means batch mode, where -o is a directory: .*x\.png looks like a file/,
      ],
      [["fast", fx.content, "--style", fx.style, "-o", out, "--name", "{c}.png"], /--name \{c\}\.png: unknown placeholder \{c\}/],
      [["stylize", fx.content, "--style", fx.style, "--mask", fx.style, "-o", out], /--mask is not available in batch mode/],
    ];
    for (const [args, pattern] of cases) expectOneErrorLine(await runCli(args), pattern, 2);
    expect(await readdir(out)).toEqual([]);
  });
});

describeNeeding([process.env.PASTICHE_MODELS_DIR ? undefined : NO_WEIGHTS], "stylize batches on real weights (PASTICHE_MODELS_DIR)", () => {
  // The optimiser is given: the product default may change; 2 iterations at 64 px keep it short.
  const run = ["--size", "64", "--iterations", "2", "--optimizer", "adam", "--scales", "off", "--seed", "1"];

  it("3 contents × 2 styles, one content unreadable: the other 4 written, the failure listed, exit 5; a rerun skips them", { timeout: 240_000 }, async () => {
    const out = path.join(root!, "batch");
    const before = await Promise.all([...["a.jpg", "b.png", "c.jpg"].map((n) => sha(path.join(inputs, n))), ...styles.map(sha)]);
    const args = ["stylize", inputs, "--style", styles[0], "-s", styles[1], "-o", `${out}/`, ...run];
    const r = await runCli([...args, "--json"], { timeoutMs: 200_000 });
    expect(r.code, r.stderr).toBe(5);
    const objects = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = objects.at(-1) as {
      type: string;
      pairs: number;
      written: number;
      failed: { content: string; message: string }[];
      reuse: Record<string, number>;
    };
    expect(summary).toMatchObject({ type: "summary", pairs: 6, written: 4, skipped: 0, stopped: false });
    expect(summary.failed.map((f) => f.content)).toEqual([path.join(inputs, "c.jpg"), path.join(inputs, "c.jpg")]);
    expect(summary.failed[0]!.message).toContain("c.jpg is not a JPEG, PNG, WebP or TIFF image");
    // Each style's Gram targets computed once, reused by the second content.
    expect(summary.reuse).toEqual({ "style targets computed": 2, reused: 2 });
    expect(objects.filter((o) => o.type === "pair")).toHaveLength(6);
    expect((await readdir(out)).sort()).toEqual(["a-style.png", "a-style2.png", "b-style.png", "b-style2.png"]);
    const settings = JSON.parse(readPngText(await readFile(path.join(out, "b-style2.png")))["pastiche:settings"]!) as { content: string; styles: string[] };
    expect(settings).toMatchObject({ content: path.join(inputs, "b.png"), styles: [styles[1]] });

    const again = await runCli(args, { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(5);
    expect(again.stderr).toContain("batch: 6 pairs: 0 written, 4 skipped (already there), 2 failed");
    expect(again.stderr).toMatch(/failed: .*c\.jpg × .*style\.png → .*c-style\.png: Image file .*c\.jpg is not/);
    expect(await Promise.all([...["a.jpg", "b.png", "c.jpg"].map((n) => sha(path.join(inputs, n))), ...styles.map(sha)])).toEqual(before);
    expect(await tempLeftovers(out)).toEqual([]);
  });

  it("a batch stopped by SIGTERM (exit 143) resumes when run again: finished pairs skipped, the partial one redone", { timeout: 240_000 }, async () => {
    const out = path.join(root!, "resume");
    const contents = [path.join(inputs, "a.jpg"), path.join(inputs, "b.png")];
    const args = (these: string[], iterations: number) => [
      "stylize",
      ...these,
      "--style",
      styles[0],
      "-o",
      out,
      ...run.slice(0, 2),
      "--iterations",
      String(iterations),
      ...run.slice(4),
    ];
    // The first pair done earlier; the second long, stopped by SIGTERM a few seconds into it.
    expect((await runCli(args(contents.slice(0, 1), 2), { timeoutMs: 120_000 })).code).toBe(0);
    const { code, objects } = await spawnJsonLines<{ type: string; status?: string }>([...args(contents, 5000), "--json"], (o, child) => {
      if (o.type === "pair" && o.status === "skipped") setTimeout(() => child.kill("SIGTERM"), 4000);
    });
    expect(code).toBe(143);
    expect(objects.filter((o) => o.type === "pair").map((o) => o.status)).toEqual(["skipped", "stopped"]);
    expect(objects.at(-1)).toMatchObject({ type: "summary", written: 0, skipped: 1, stopped: true, notRun: 1 });
    const partial = JSON.parse(readPngText(await readFile(path.join(out, "b-style.png")))["pastiche:settings"]!) as { stopped?: { of: number } };
    expect(partial.stopped?.of).toBe(5000);

    const resumed = await runCli(args(contents, 2), { timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/\[1\/2\] a\.jpg × style\.png: skipped/);
    expect(resumed.stderr).toMatch(/\[2\/2\] b\.png × style\.png: wrote/);
    const redone = JSON.parse(readPngText(await readFile(path.join(out, "b-style.png")))["pastiche:settings"]!) as { stopped?: unknown };
    expect(redone.stopped).toBeUndefined();
  });
});

describe("fast batches", () => {
  itNeeding(
    [needs.models("magenta-arbitrary-tflite")],
    "3 contents × 2 styles: each style predicted once, the unreadable content listed, exit 5",
    async () => {
      const out = path.join(root!, "fast-batch");
      const r = await runCli(["fast", path.join(inputs, "*.{jpg,png}"), "--style", styles[0], "--style", styles[1], "-o", out, "--size", "64", "--json"], {
        timeoutMs: 120_000,
      });
      expect(r.code, r.stderr).toBe(5);
      const summary = JSON.parse(lines(r.stdout).at(-1)!) as { written: number; failed: unknown[]; reuse: Record<string, number> };
      expect(summary).toMatchObject({ written: 4, reuse: { "style predictions": 2 } });
      expect(summary.failed).toHaveLength(2);
      expect((await readdir(out)).sort()).toEqual(["a-style.png", "a-style2.png", "b-style.png", "b-style2.png"]);
    },
    150_000,
  );
});
