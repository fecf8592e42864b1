import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { jpegHasEnd, pngHasEnd, sniffImage } from "../../src/images/sniff.js";
import { patternRgb, rawInput } from "./helpers.js";

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

describe("sniffImage", () => {
  it.each([
    ["jpeg", bytes([0xff, 0xd8, 0xff, 0xe0], "\0\x10JFIF\0")],
    ["png", bytes([0x89], "PNG\r\n\x1a\n", [0, 0, 0, 13], "IHDR")],
    ["webp", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 ")],
    ["tiff", bytes("II*\0", [8, 0, 0, 0])],
    ["tiff", bytes("MM\0*", [0, 0, 0, 8])],
    ["tiff", bytes("II+\0", [8, 0, 0, 0])],
  ] as const)("recognises %s", (format, head) => {
    expect(sniffImage(head)).toEqual({ ok: true, format });
  });

  it.each([
    ["a GIF image", bytes("GIF89a", [1, 0, 1, 0])],
    ["a GIF image", bytes("GIF87a", [1, 0, 1, 0])],
    ["an AVIF image", bytes([0, 0, 0, 0x1c], "ftypavif\0\0\0\0")],
    ["a HEIF/HEIC image", bytes([0, 0, 0, 0x18], "ftypheic\0\0\0\0")],
    ["a BMP image", bytes("BM", [0x36, 0, 0, 0])],
    ["a JPEG XL image", bytes([0xff, 0x0a, 0xfa])],
  ] as const)("names refused format %s", (refused, head) => {
    expect(sniffImage(head)).toEqual({ ok: false, refused });
  });

  it("refuses unknown content and headers too short to be sure", () => {
    expect(sniffImage(bytes("hello, this is text"))).toEqual({ ok: false, refused: undefined });
    expect(sniffImage(bytes([0xff, 0xd8]))).toEqual({ ok: false, refused: undefined });
    expect(sniffImage(bytes("RIFF", [0, 0, 0, 0], "WAVE"))).toEqual({ ok: false, refused: undefined });
    expect(sniffImage(new Uint8Array())).toEqual({ ok: false, refused: undefined });
  });
});

describe("pngHasEnd", () => {
  const iend = [0, 0, 0, 0, ...bytes("IEND"), 0xae, 0x42, 0x60, 0x82];
  it("finds IEND at the end or followed by trailing bytes", () => {
    expect(pngHasEnd(bytes([1, 2, 3], iend))).toBe(true);
    expect(pngHasEnd(bytes([1, 2, 3], iend, "trailing junk"))).toBe(true);
  });
  it("is false when IEND or its CRC is cut off", () => {
    expect(pngHasEnd(bytes([1, 2, 3], iend.slice(0, -1)))).toBe(false);
    expect(pngHasEnd(bytes([1, 2, 3]))).toBe(false);
  });
});

describe("jpegHasEnd", () => {
  it("finds EOI in real baseline, progressive and EXIF-carrying JPEGs, at every cut only when complete", async () => {
    const source = rawInput(patternRgb(64, 48), 64, 48);
    const jpegs = await Promise.all([
      source.clone().jpeg().toBuffer(),
      source.clone().jpeg({ progressive: true, mozjpeg: true }).toBuffer(),
      source.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    ]);
    for (const jpeg of jpegs) {
      expect(jpegHasEnd(jpeg)).toBe(true);
      for (const cut of [1, 2, 3, 50, jpeg.length >> 1, jpeg.length - 4]) {
        expect(jpegHasEnd(jpeg.subarray(0, jpeg.length - cut))).toBe(false);
      }
    }
  });

  it("accepts data appended after EOI and ignores an EOI inside a segment", async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#f00" } })
      .jpeg()
      .toBuffer();
    expect(jpegHasEnd(Buffer.concat([jpeg, Buffer.from("appended motion-photo video")]))).toBe(true);
    // SOI, then an APP1 segment (length 6) whose payload contains FF D9, then nothing.
    expect(jpegHasEnd(bytes([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x06, 0xff, 0xd9, 0xff, 0xd9]))).toBe(false);
    expect(jpegHasEnd(bytes([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x06, 0xff, 0xd9, 0xff, 0xd9, 0xff, 0xd9]))).toBe(true);
  });
});
