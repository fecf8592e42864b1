import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RgbImage } from "@pastiche/core";
import { readPngText } from "../../src/images/pngText.js";
import { readImage } from "../../src/images/readImage.js";
import { sniffImage } from "../../src/images/sniff.js";
import { assertWritableOutput, outputFormatFromPath, writeImage } from "../../src/images/writeImage.js";
import { catchPasticheError, makeTempDir, patternRgb } from "./helpers.js";

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir: root, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

let counter = 0;
/** A fresh empty directory per test, so "no temp files left" can be checked exactly. */
async function freshDir(): Promise<string> {
  const dir = join(root, `case-${++counter}`);
  await mkdir(dir);
  return dir;
}

const image = (width: number, height: number): RgbImage => ({ width, height, data: patternRgb(width, height) });

describe("writeImage", () => {
  it("round-trips PNG pixels exactly and leaves only the target file", async () => {
    const dir = await freshDir();
    const src = image(23, 11);
    const path = join(dir, "out.png");
    await writeImage(path, src);
    expect(await readdir(dir)).toEqual(["out.png"]);
    const back = await readImage(path);
    expect([back.width, back.height]).toEqual([23, 11]);
    expect(Buffer.from(back.data).equals(Buffer.from(src.data))).toBe(true);
  });

  it.each([
    ["out.jpg", "jpeg"],
    ["out.JPEG", "jpeg"],
    ["out.webp", "webp"],
    ["out.PNG", "png"],
  ] as const)("writes %s as %s", async (name, format) => {
    const dir = await freshDir();
    const path = join(dir, name);
    const solid: RgbImage = { width: 16, height: 8, data: new Uint8Array(16 * 8 * 3).fill(200) };
    await writeImage(path, solid);
    const bytes = await readFile(path);
    expect(sniffImage(bytes)).toEqual({ ok: true, format });
    const back = await readImage(path);
    expect([back.width, back.height]).toEqual([16, 8]);
    expect(Math.max(...Array.from(back.data, (v) => Math.abs(v - 200)))).toBeLessThanOrEqual(2);
    expect(await readdir(dir)).toEqual([name]);
  });

  it("honours quality for lossy formats", async () => {
    const dir = await freshDir();
    const src = image(64, 64);
    await writeImage(join(dir, "low.jpg"), src, { quality: 20 });
    await writeImage(join(dir, "high.jpg"), src, { quality: 95 });
    expect((await stat(join(dir, "low.jpg"))).size).toBeLessThan((await stat(join(dir, "high.jpg"))).size);
  });

  it("stores text in PNG tEXt chunks, readable by us and by libvips", async () => {
    const dir = await freshDir();
    const path = join(dir, "meta.png");
    const text = { Software: "Pastiche", "Style weight": "10000", Content: "photo.jpg" };
    await writeImage(path, image(5, 5), { text });
    const bytes = await readFile(path);
    expect(readPngText(bytes)).toEqual(text);
    expect((await sharp(bytes, { failOn: "warning" }).metadata()).comments).toEqual(Object.entries(text).map(([keyword, value]) => ({ keyword, text: value })));
    expect(Buffer.from((await readImage(path)).data).equals(Buffer.from(image(5, 5).data))).toBe(true);
  });

  it("ignores text for JPEG (no tEXt equivalent) rather than failing", async () => {
    const dir = await freshDir();
    await writeImage(join(dir, "meta.jpg"), image(5, 5), { text: { Software: "Pastiche" } });
    expect(sniffImage(await readFile(join(dir, "meta.jpg")))).toEqual({ ok: true, format: "jpeg" });
  });

  it("replaces an existing file", async () => {
    const dir = await freshDir();
    const path = join(dir, "out.png");
    await writeFile(path, "old contents");
    await writeImage(path, image(4, 3));
    expect((await readImage(path)).width).toBe(4);
    expect(await readdir(dir)).toEqual(["out.png"]);
  });

  it.each([
    ["out.gif", 'unsupported extension ".gif" (supported: .png, .jpg, .jpeg, .webp, .tif, .tiff)'],
    ["out", "it has no file extension (supported: .png, .jpg, .jpeg, .webp, .tif, .tiff)"],
  ])("refuses %s without writing anything", async (name, reason) => {
    const dir = await freshDir();
    const path = join(dir, name);
    const err = await catchPasticheError(() => writeImage(path, image(2, 2)));
    expect(err.code).toBe("OUTPUT_NOT_WRITABLE");
    expect(err.message).toBe(`Cannot write ${path}: ${reason}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails on a missing directory with OUTPUT_NOT_WRITABLE", async () => {
    const dir = await freshDir();
    const missing = join(dir, "no-such-dir");
    const err = await catchPasticheError(() => writeImage(join(missing, "out.png"), image(2, 2)));
    expect(err.code).toBe("OUTPUT_NOT_WRITABLE");
    expect(err.message).toBe(`Cannot write ${join(missing, "out.png")}: directory ${missing} does not exist`);
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails on a path under a regular file, leaving that file alone", async () => {
    const dir = await freshDir();
    const file = join(dir, "file.txt");
    await writeFile(file, "keep me");
    const err = await catchPasticheError(() => writeImage(join(file, "out.png"), image(2, 2)));
    expect(err.code).toBe("OUTPUT_NOT_WRITABLE");
    expect(err.message).toContain(`${file} is not a directory`);
    expect(await readFile(file, "utf8")).toBe("keep me");
    expect(await readdir(dir)).toEqual(["file.txt"]);
  });

  it("removes its temp file when the final rename fails (target is a directory)", async () => {
    // The temp file is created and written here; only the rename over the directory fails.
    const dir = await freshDir();
    const target = join(dir, "out.png");
    await mkdir(target);
    await writeFile(join(target, "inside.txt"), "x");
    const err = await catchPasticheError(() => writeImage(target, image(2, 2)));
    expect(err.code).toBe("OUTPUT_NOT_WRITABLE");
    expect(err.message).toBe(`Cannot write ${target}: it is a directory`);
    expect(await readdir(dir)).toEqual(["out.png"]);
    expect(await readdir(target)).toEqual(["inside.txt"]);
  });

  it("does not clobber the existing target when encoding fails", async () => {
    const dir = await freshDir();
    const path = join(dir, "wide.webp");
    await writeFile(path, "previous result");
    const err = await catchPasticheError(() => writeImage(path, { width: 16_384, height: 1, data: new Uint8Array(16_384 * 3) }));
    expect(err.code).toBe("OUTPUT_NOT_WRITABLE");
    expect(err.message).toContain("encoding WEBP failed (Processed image is too large for the WebP format)");
    expect(await readFile(path, "utf8")).toBe("previous result");
    expect(await readdir(dir)).toEqual(["wide.webp"]);
  });

  it("validates its arguments before writing anything", async () => {
    const dir = await freshDir();
    const path = join(dir, "out.png");
    const bad: RgbImage = { width: 3, height: 3, data: new Uint8Array(10) };
    expect((await catchPasticheError(() => writeImage(path, bad))).code).toBe("INVALID_IMAGE");
    for (const quality of [0, 101, 50.5]) {
      expect((await catchPasticheError(() => writeImage(join(dir, "out.jpg"), image(2, 2), { quality }))).code).toBe("INVALID_OPTION");
    }
    expect((await catchPasticheError(() => writeImage(path, image(2, 2), { text: { "": "x" } }))).code).toBe("INVALID_OPTION");
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("outputFormatFromPath", () => {
  it("maps extensions case-insensitively", () => {
    expect(["a.png", "a.JPG", "dir.png/a.jpeg", "a.webp", "a.TIF", "a.gif", "a", ".png"].map(outputFormatFromPath)).toEqual([
      "png",
      "jpeg",
      "jpeg",
      "webp",
      "tiff",
      undefined,
      undefined,
      undefined, // a dotfile named ".png" has no extension
    ]);
  });
});

describe("assertWritableOutput", () => {
  it("passes for a new file in an existing directory and leaves nothing behind", async () => {
    const dir = await freshDir();
    await expect(assertWritableOutput(join(dir, "new.png"))).resolves.toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it("passes for an existing file without touching it", async () => {
    const dir = await freshDir();
    const path = join(dir, "existing.jpg");
    await writeFile(path, "previous");
    await assertWritableOutput(path);
    expect(await readFile(path, "utf8")).toBe("previous");
    expect(await readdir(dir)).toEqual(["existing.jpg"]);
  });

  it.each([
    ["an unsupported extension", (dir: string) => join(dir, "out.bmp"), 'unsupported extension ".bmp"'],
    ["a missing directory", (dir: string) => join(dir, "missing", "out.png"), `directory DIR/missing does not exist`],
    ["a path under a regular file", (dir: string) => join(dir, "file.txt", "out.png"), "DIR/file.txt is not a directory"],
    ["a directory", (dir: string) => join(dir, "sub.png"), "it is a directory"],
  ])("fails for %s", async (_name, makePath, reason) => {
    const dir = await freshDir();
    await writeFile(join(dir, "file.txt"), "x");
    await mkdir(join(dir, "sub.png"));
    const path = makePath(dir);
    const err = await catchPasticheError(() => assertWritableOutput(path));
    expect(err.code).toBe("OUTPUT_NOT_WRITABLE");
    expect(err.message).toContain(`Cannot write ${path}: ${reason.replace("DIR", dir)}`);
    expect(err.message).not.toContain("\n");
    expect((await readdir(dir)).sort()).toEqual(["file.txt", "sub.png"]);
  });
});

describe("writeImage colour", () => {
  it("states sRGB: every format carries an embedded sRGB ICC profile", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      for (const ext of [".png", ".jpg", ".webp", ".tif"]) {
        const p = join(dir, `out${ext}`);
        await writeImage(p, { width: 4, height: 4, data: new Uint8Array(48).fill(128) });
        const meta = await sharp(p).metadata();
        expect(meta.hasProfile, ext).toBe(true);
        expect(meta.space, ext).toBe("srgb");
      }
    } finally {
      await cleanup();
    }
  });

  it("writes 16-bit PNG (with the sRGB profile, samples unchanged, settings text kept) and TIFF; refuses 16-bit JPEG", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const data = Uint16Array.from({ length: 6 * 5 * 3 }, (_, i) => (i * 2311 + 7) % 65536);
      const image = { width: 6, height: 5, data };
      for (const ext of [".png", ".tif"]) {
        const p = join(dir, `deep${ext}`);
        await writeImage(p, image, ext === ".png" ? { text: { Comment: "kept" } } : {});
        const meta = await sharp(p).metadata();
        expect(meta.depth, ext).toBe("ushort");
        expect([meta.width, meta.height]).toEqual([6, 5]);
        if (ext === ".png") {
          expect(meta.hasProfile).toBe(true);
          expect(readPngText(await readFile(p)).Comment).toBe("kept");
        }
        // Read back without the profile: libvips' 16-bit sRGB→sRGB transform is not the identity.
        const raw = await sharp(ext === ".png" ? withoutChunk(await readFile(p), "iCCP") : p)
          .toColourspace("rgb16")
          .raw({ depth: "ushort" })
          .toBuffer();
        expect(Array.from(new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2))).toEqual(Array.from(data));
      }
      const err = await catchPasticheError(() => writeImage(join(dir, "deep.jpg"), image));
      expect(err.message).toContain("16-bit output needs a .png or .tif file");
    } finally {
      await cleanup();
    }
  });
});

/** A PNG without its chunks of one type. */
function withoutChunk(png: Buffer, type: string): Buffer {
  const parts = [png.subarray(0, 8)];
  for (let at = 8; at < png.length;) {
    const end = at + 12 + png.readUInt32BE(at);
    if (png.toString("latin1", at + 4, at + 8) !== type) parts.push(png.subarray(at, end));
    at = end;
  }
  return Buffer.concat(parts);
}
