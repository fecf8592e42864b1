import { writeFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { pngChunk } from "@pastiche/node/light";

/**
 * A real, complete PNG of width × height black pixels in 1-bit greyscale: 20000² is 400 megapixels
 * but the file is a few hundred KB, because the rows are all zeros and compress ~1000:1. A server
 * that decoded it before checking the pixel count would need gigabytes.
 */
export function hugePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + packed pixels
  const raw = Buffer.alloc(rowBytes * height); // all zeros: filter "none", black
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw, { level: 9 })),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

export interface BadFile {
  what: string;
  file: string;
  /** What the message shown must say (case-insensitive). */
  expect: RegExp;
}

/** The acceptance's four refusals, written into `dir`. */
export function writeBadFiles(dir: string, sizeOverLimit: number): BadFile[] {
  const empty = path.join(dir, "empty.jpg");
  writeFileSync(empty, Buffer.alloc(0));
  const text = path.join(dir, "notes.jpg");
  writeFileSync(text, "These are my holiday notes, not a photo.\n".repeat(20));
  const huge = path.join(dir, "huge-20000x20000.png");
  writeFileSync(huge, hugePng(20_000, 20_000));
  const big = path.join(dir, "big.jpg");
  // Sparse-cheap to write: a JPEG signature followed by zeros, just over the limit.
  const bigBuf = Buffer.alloc(sizeOverLimit);
  bigBuf.set([0xff, 0xd8, 0xff, 0xe0]);
  writeFileSync(big, bigBuf);
  return [
    { what: "a 0-byte file", file: empty, expect: /empty|0 bytes/i },
    { what: "a text file renamed .jpg", file: text, expect: /not.*image|image.*(type|format)|unsupported|recogni/i },
    { what: "a 20000×20000 PNG", file: huge, expect: /pixel|too (large|big)|megapixel|dimension/i },
    { what: `a ${Math.round(sizeOverLimit / 2 ** 20)} MB file`, file: big, expect: /too large|too big|limit|MB/i },
  ];
}
