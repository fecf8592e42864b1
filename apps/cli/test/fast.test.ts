import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { itNeeding, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPngText } from "@pastiche/node";
import { writeFixtures } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = path.join(root, "apps/cli/bin/run.js");
const out = mkdtempSync(path.join(os.tmpdir(), "pastiche-fast-cli-"));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});
// The checks run on images the test makes; only the real run needs ../shared's.
let content = "";
let style = "";
beforeAll(async () => {
  ({ content, style } = await writeFixtures(path.join(out, "fixtures")));
});

function pastiche(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, PASTICHE_BACKEND: "wasm", ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("pastiche fast", () => {
  it("rejects a bad strength before loading anything (exit 2, one line)", () => {
    const r = pastiche(["fast", content, style, "-o", path.join(out, "a.png"), "--strength", "1.5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pastiche: error: --strength: must be at most 1, got 1.5\n$/);
    expect(existsSync(path.join(out, "a.png"))).toBe(false);
  });

  it("names the missing model and how to get it (exit 3)", () => {
    const r = pastiche(["fast", content, style, "-o", path.join(out, "b.png")], { PASTICHE_MODELS_DIR: out });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("pastiche models download magenta-style-predict");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("counts blend weights against style images", () => {
    const r = pastiche(["fast", content, style, style, "-o", path.join(out, "c.png"), "--style-blend-weights", "1,2,3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--style-blend-weights: 3 style blend weights for 2 style images");
  });

  itNeeding([needs.models("magenta-arbitrary-tflite"), needs.sharedImages()], "writes a stylised image and reports timings as JSON", () => {
    const file = path.join(out, "fast.png");
    const images = sharedImagesDir()!;
    const [sailboat, wave] = [path.join(images, "content/sailboat.jpg"), path.join(images, "style/the_great_wave.jpg")];
    const r = pastiche(["fast", sailboat, wave, wave, "-o", file, "--size", "256", "--style-blend-weights", "1,1", "--strength", "0.8", "--json"], {
      PASTICHE_MODELS_DIR: modelsDir()!,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { width: number; height: number; predictorRuns: number; timings: { totalMs: number } };
    expect([result.width, result.height]).toEqual([256, 256]);
    expect(result.predictorRuns).toBe(2); // the style once (same image twice), the content once
    expect(existsSync(file)).toBe(true);
  });

  itNeeding([needs.models("magenta-arbitrary-tflite")], "--depth 16 writes a 16-bit PNG with its settings; refused for JPEG before any model loads", () => {
    const env = { PASTICHE_MODELS_DIR: modelsDir()! };
    const file = path.join(out, "fast-16.png");
    const r = pastiche(["fast", content, style, "-o", file, "--size", "64", "--depth", "16"], env);
    expect(r.code, r.stderr).toBe(0);
    const png = readFileSync(file);
    expect(png[24]).toBe(16); // IHDR bit depth
    expect(JSON.parse(readPngText(png)["pastiche:settings"]!)).toMatchObject({ method: "fast" });
    const jpeg = pastiche(["fast", content, style, "-o", path.join(out, "fast-16.jpg"), "--depth", "16"], env);
    expect(jpeg.code).toBe(2);
    expect(jpeg.stderr).toMatch(/^pastiche: error: 16-bit output needs a \.png or \.tif output/);
  });

  itNeeding(
    [needs.models("magenta-arbitrary-tflite")],
    "records its settings in stylize's schema; `fast --from` reruns it (the same image), `stylize --from` points to fast",
    () => {
      const env = { PASTICHE_MODELS_DIR: modelsDir()! };
      const first = path.join(out, "fast-64.png");
      const r = pastiche(["fast", content, style, "-o", first, "--size", "64", "--strength", "0.7"], env);
      expect(r.code, r.stderr).toBe(0);
      const settings = JSON.parse(readPngText(readFileSync(first))["pastiche:settings"]!) as {
        method: string;
        options: { strength: number; size: number };
        sha256: { content: string };
      };
      expect(settings.method).toBe("fast");
      expect(settings.options).toMatchObject({ strength: 0.7, size: 64 });
      expect(settings.sha256.content).toMatch(/^[0-9a-f]{64}$/);

      const again = path.join(out, "fast-64-again.png");
      const rerun = pastiche(["fast", "--from", first, "-o", again], env);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(readImageRaw(again).equals(readImageRaw(first))).toBe(true);

      const wrong = pastiche(["stylize", "--from", first, "-o", path.join(out, "nope.png")], env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/was made by pastiche fast: rerun it with `pastiche fast --from /);
      expect(existsSync(path.join(out, "nope.png"))).toBe(false);
    },
  );
});

/** The image bytes of a PNG without its text chunks (the settings differ: the rerun's name their own run). */
function readImageRaw(file: string): Buffer {
  const png = readFileSync(file);
  const parts: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    if (type === "IDAT") parts.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return Buffer.concat(parts);
}
