import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { itNeeding, modelsDir, needs, sharedImagesDir } from "@pastiche/vitest-config/needs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
