import { crc32 as zlibCrc32 } from "node:zlib";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { isPasticheError } from "@pastiche/core";
import { crc32, insertPngText, readPngText } from "../../src/images/pngText.js";
import { patternRgb, rawInput } from "./helpers.js";

/** Chunk types in file order, parsed independently of the code under test. */
function chunkTypes(png: Uint8Array): string[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const types: string[] = [];
  for (let offset = 8; offset + 8 <= png.length; offset += 12 + view.getUint32(offset)) {
    types.push(String.fromCharCode(...png.subarray(offset + 4, offset + 8)));
  }
  return types;
}

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isPasticheError(e) ? e.code : `not a PasticheError: ${String(e)}`;
  }
  return undefined;
}

let png: Uint8Array;
beforeAll(async () => {
  png = await rawInput(patternRgb(5, 4), 5, 4).png().toBuffer();
});

describe("crc32", () => {
  it("matches the standard check value and zlib", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    const data = patternRgb(100, 7);
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(new Uint8Array())).toBe(0);
  });
});

describe("insertPngText / readPngText", () => {
  const entries = { Software: "Pastiche 0.1.0", Comment: "two\nlines", "Style weight": "1e4" };

  it("inserts text chunks right after IHDR and reads them back", () => {
    const out = insertPngText(png, entries);
    const types = chunkTypes(out);
    expect(types.slice(0, 4)).toEqual(["IHDR", "tEXt", "tEXt", "tEXt"]);
    expect(types.at(-1)).toBe("IEND");
    expect(out.length).toBe(png.length + Object.entries(entries).reduce((n, [k, v]) => n + 12 + k.length + 1 + v.length, 0));
    expect(readPngText(out)).toEqual(entries);
    expect(readPngText(png)).toEqual({});
  });

  it("produces chunks an independent decoder accepts (CRCs checked) with pixels unchanged", async () => {
    const out = insertPngText(png, entries);
    const meta = await sharp(out, { failOn: "warning" }).metadata();
    expect(meta.comments).toEqual(Object.entries(entries).map(([keyword, text]) => ({ keyword, text })));
    const [before, after] = await Promise.all([sharp(png).raw().toBuffer(), sharp(out, { failOn: "warning" }).raw().toBuffer()]);
    expect(after.equals(before)).toBe(true);
  });

  it("stores non-ASCII values as UTF-8 iTXt, readable by us and by libvips", async () => {
    const text = { Source: "写真 🎨.jpg", Plain: "ok", Dessert: "crème brûlée" };
    const out = insertPngText(png, text);
    expect(chunkTypes(out).slice(1, 4)).toEqual(["iTXt", "tEXt", "iTXt"]);
    expect(readPngText(out)).toEqual(text);
    const meta = await sharp(out, { failOn: "warning" }).metadata();
    expect(meta.comments).toEqual(Object.entries(text).map(([keyword, value]) => ({ keyword, text: value })));
  });

  it("decodes a foreign tEXt chunk as Latin-1, as the PNG spec says", () => {
    const data = Uint8Array.from([..."Author\0caf".split("").map((c) => c.charCodeAt(0)), 0xe9]);
    const chunk = new Uint8Array(12 + data.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, data.length);
    chunk.set([0x74, 0x45, 0x58, 0x74], 4); // "tEXt"
    chunk.set(data, 8);
    view.setUint32(8 + data.length, zlibCrc32(chunk.subarray(4, 8 + data.length)));
    const out = new Uint8Array([...png.subarray(0, 33), ...chunk, ...png.subarray(33)]);
    expect(readPngText(out)).toEqual({ Author: "café" });
  });

  it("returns an identical copy for no entries", () => {
    const out = insertPngText(png, {});
    expect(out).not.toBe(png);
    expect(Buffer.from(out).equals(Buffer.from(png))).toBe(true);
  });

  it.each(["", " lead", "trail ", "dou  ble", "x".repeat(80), "naïve", "check✓", "tab\there"])("rejects keyword %j", (keyword) => {
    expect(thrownCode(() => insertPngText(png, { [keyword]: "v" }))).toBe("INVALID_OPTION");
  });

  it("accepts a 79-character keyword and rejects NUL in a value", () => {
    expect(readPngText(insertPngText(png, { ["k".repeat(79)]: "v" }))).toEqual({ ["k".repeat(79)]: "v" });
    expect(thrownCode(() => insertPngText(png, { Key: "a\0b" }))).toBe("INVALID_OPTION");
  });

  it("rejects data that is not a PNG", () => {
    const jpegish = Uint8Array.from([0xff, 0xd8, 0xff, ...new Array<number>(40).fill(0)]);
    expect(thrownCode(() => insertPngText(jpegish, { a: "b" }))).toBe("INVALID_IMAGE");
    expect(thrownCode(() => readPngText(jpegish))).toBe("INVALID_IMAGE");
  });

  it("detects a corrupted text chunk and a chunk running past the end", () => {
    const out = insertPngText(png, { Key: "value" });
    const corrupt = out.slice();
    corrupt[33 + 8 + 5] = corrupt[33 + 8 + 5]! ^ 0x20; // flip a bit in the first tEXt's data ("Key\0v...")
    expect(thrownCode(() => readPngText(corrupt))).toBe("INVALID_IMAGE");
    expect(thrownCode(() => readPngText(out.subarray(0, 33 + 10)))).toBe("INVALID_IMAGE");
    expect(thrownCode(() => readPngText(out.subarray(0, out.length - 12)))).toBe("INVALID_IMAGE"); // no IEND
    expect(readPngText(out)).toEqual({ Key: "value" });
  });
});
