import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseGatysOptions } from "@pastiche/core";
import { writeImage } from "../../src/images/index.js";
import {
  RUN_SETTINGS_KEY,
  formatRunSettings,
  hashRunInputs,
  parseRunSettings,
  readRunSettings,
  sha256File,
  verifyRunInputs,
  type GatysRunSettings,
} from "../../src/pipeline/runSettings.js";
import { catchPasticheError, makeTempDir, patternRgb } from "../images/helpers.js";

async function withInputs(fn: (dir: string, settings: GatysRunSettings) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await makeTempDir();
  try {
    const content = path.join(dir, "content.jpg");
    const style = path.join(dir, "style.jpg");
    const init = path.join(dir, "init.png");
    await writeFile(content, "content bytes");
    await writeFile(style, "style bytes");
    await writeFile(init, "init bytes");
    const settings: GatysRunSettings = {
      method: "gatys",
      content,
      styles: [style],
      options: parseGatysOptions({
        size: 64,
        iterations: 3,
        seed: 7,
        preserveColors: "luminance",
        scales: "auto",
        averaging: 0.95,
        init: { kind: "image", path: init },
      }),
      sha256: await hashRunInputs({ content, styles: [style], init: { kind: "image", path: init } }),
      versions: { pastiche: "0.0.0-test", tfjs: "4.22.0" },
      backend: "wasm",
    };
    await fn(dir, settings);
  } finally {
    await cleanup();
  }
}

describe("run settings", () => {
  it("hashes files with sha256", async () => {
    await withInputs(async (_dir, settings) => {
      expect(await sha256File(settings.content)).toBe(createHash("sha256").update("content bytes").digest("hex"));
      expect(settings.sha256.init).toBe(createHash("sha256").update("init bytes").digest("hex"));
      expect((await hashRunInputs({ ...settings, init: { kind: "noise" } })).init).toBeUndefined();
      expect((await catchPasticheError(() => sha256File(path.join(_dir, "missing.jpg")))).code).toBe("FILE_NOT_FOUND");
    });
  });

  it("round-trip through a PNG text chunk, and verify unchanged inputs", async () => {
    await withInputs(async (dir, settings) => {
      const png = path.join(dir, "out.png");
      await writeImage(png, { width: 2, height: 2, data: patternRgb(2, 2) }, { text: { [RUN_SETTINGS_KEY]: formatRunSettings(settings) } });
      const back = (await readRunSettings(png)) as GatysRunSettings;
      expect(back).toEqual(settings);
      await verifyRunInputs(back, png);
    });
  });

  it("records style masks with their hashes and refuses a changed mask", async () => {
    await withInputs(async (dir, settings) => {
      const mask = path.join(dir, "mask.png");
      await writeFile(mask, "mask bytes");
      const withMask: GatysRunSettings = {
        ...settings,
        styleMasks: [mask],
        sha256: await hashRunInputs({ ...settings, styleMasks: [mask], init: settings.options.init }),
      };
      const back = parseRunSettings(formatRunSettings(withMask), "out.png") as GatysRunSettings;
      expect(back.styleMasks).toEqual([mask]);
      expect(back.sha256.styleMasks).toEqual([createHash("sha256").update("mask bytes").digest("hex")]);
      await verifyRunInputs(back, "out.png");
      expect((parseRunSettings(formatRunSettings(settings), "out.png") as GatysRunSettings).styleMasks).toBeUndefined();
      await writeFile(mask, "another mask");
      expect((await catchPasticheError(() => verifyRunInputs(back, "out.png"))).message).toContain("style mask");
      const unhashed = formatRunSettings({ ...withMask, sha256: settings.sha256 });
      expect(() => parseRunSettings(unhashed, "x.png")).toThrow(/hashes of the style masks/);
    });
  });

  it("refuses changed inputs, PNGs without settings and settings without hashes", async () => {
    await withInputs(async (dir, settings) => {
      await writeFile(settings.styles[0]!, "another style");
      const changed = await catchPasticheError(() => verifyRunInputs(settings, "out.png"));
      expect(changed.code).toBe("INPUT_CHANGED");
      expect(changed.message).toContain("style.jpg is not the file out.png was made from");
      const plain = path.join(dir, "plain.png");
      await writeImage(plain, { width: 2, height: 2, data: patternRgb(2, 2) });
      expect((await catchPasticheError(() => readRunSettings(plain))).message).toContain("has no pastiche:settings");
      const old = JSON.stringify({ content: "a.jpg", styles: ["b.jpg"], init: "content", options: {}, backend: "wasm" });
      expect(() => parseRunSettings(old, "old.png")).toThrow(/old\.png: .*no input hashes/);
      expect(() => parseRunSettings("{", "x.png")).toThrow(/not JSON/);
      const badOptions = formatRunSettings({ ...settings, options: { ...settings.options, iterations: -1 } });
      expect(() => parseRunSettings(badOptions, "x.png")).toThrow(/iterations/);
      // Settings recorded before the start moved into the options read as today's.
      const legacy = JSON.stringify({
        ...settings,
        init: settings.options.init.kind === "image" ? settings.options.init.path : "",
        options: { ...settings.options, init: "image" },
      });
      expect(parseRunSettings(legacy, "legacy.png")).toEqual(settings);
      // L-BFGS settings recorded before the line search existed rerun with full steps, as made.
      const withoutLineSearch: Record<string, unknown> = { ...settings.options, optimizer: "lbfgs" };
      delete withoutLineSearch.lbfgsLineSearch;
      const before = JSON.stringify({ ...settings, options: withoutLineSearch });
      expect(parseRunSettings(before, "before.png").options).toMatchObject({ optimizer: "lbfgs", lbfgsLineSearch: "none" });
      const now = formatRunSettings({ ...settings, options: { ...settings.options, optimizer: "lbfgs" } });
      expect(parseRunSettings(now, "now.png").options).toMatchObject({ lbfgsLineSearch: "backtracking" });
    });
  });
});
