/**
 * PNG text chunks (provenance such as the options a stylised image was made with). sharp can write EXIF
 * and XMP but not tEXt, which is what most viewers and `exiftool`/`pngcheck` show, so we splice the
 * chunks into the encoded bytes ourselves. Pure functions on bytes: no IO, no sharp.
 *
 * ASCII values go into tEXt (what the brief, the spec and every reader support). Any other value goes
 * into an uncompressed iTXt chunk (UTF-8): tEXt is Latin-1 by spec, but many readers (libvips among
 * them) decode it as UTF-8, so "café" would come back garbled; and a Japanese file name must not fail a
 * write at the end of a long run. readPngText reads both back.
 */
import { PasticheError } from "@pastiche/core/schemas"; // the TF-free entry: this file is also in @pastiche/node/light

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC). IHDR must come first. */
const AFTER_IHDR = 8 + 4 + 4 + 13 + 4;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309 / zlib polynomial) as used by PNG chunks. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data and the CRC of type + data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(latin1(type), 4);
  out.set(data, 8);
  // The CRC covers the type and the data, not the length.
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

// Not TextDecoder("latin1"): per WHATWG that is windows-1252, which remaps 0x80-0x9f.
function decodeLatin1(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => String.fromCharCode(b)).join("");
}

function isAscii(text: string): boolean {
  return Array.from(text).every((c) => c.charCodeAt(0) <= 0x7f);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * PNG keyword rules: 1-79 characters, no leading, trailing or double spaces. PNG allows Latin-1, but we
 * require printable ASCII: readers disagree on how to decode anything else (libvips assumes UTF-8).
 */
function assertKeyword(keyword: string): void {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword) || /^ | $| {2}/.test(keyword)) {
    throw new PasticheError(
      "INVALID_OPTION",
      `Invalid PNG text keyword ${JSON.stringify(keyword)}: use 1-79 printable ASCII characters without leading, trailing or double spaces`,
    );
  }
}

/** Encodes one entry as a tEXt chunk, or as an uncompressed iTXt chunk if it is not ASCII. */
function textChunk(keyword: string, text: string): Uint8Array {
  assertKeyword(keyword);
  if (text.includes("\0")) {
    throw new PasticheError("INVALID_OPTION", `PNG text ${JSON.stringify(keyword)} contains a NUL character`);
  }
  if (isAscii(text)) return pngChunk("tEXt", concat([latin1(keyword), new Uint8Array([0]), latin1(text)]));
  // iTXt: keyword \0, compression flag 0, method 0, empty language tag \0, empty translated keyword \0, UTF-8 text.
  return pngChunk("iTXt", concat([latin1(keyword), new Uint8Array([0, 0, 0, 0, 0]), new TextEncoder().encode(text)]));
}

function assertPngHeader(png: Uint8Array): void {
  const ok =
    png.length >= AFTER_IHDR &&
    SIGNATURE.every((b, i) => png[i] === b) &&
    new DataView(png.buffer, png.byteOffset, png.byteLength).getUint32(8) === 13 &&
    decodeLatin1(png.subarray(12, 16)) === "IHDR";
  if (!ok) throw new PasticheError("INVALID_IMAGE", "Not a PNG (missing signature or IHDR chunk)");
}

/**
 * Returns a copy of `png` with one text chunk per entry inserted right after IHDR (so readers that stop
 * early still see them). Throws INVALID_OPTION for keywords PNG does not allow.
 */
export function insertPngText(png: Uint8Array, entries: Readonly<Record<string, string>>): Uint8Array {
  const chunks = Object.entries(entries).map(([keyword, text]) => textChunk(keyword, text));
  assertPngHeader(png);
  if (chunks.length === 0) return png.slice();
  return concat([png.subarray(0, AFTER_IHDR), ...chunks, png.subarray(AFTER_IHDR)]);
}

/** Checks keywords and values without encoding anything, so writers can fail before the slow part. */
export function validatePngText(entries: Readonly<Record<string, string>>): void {
  for (const [keyword, text] of Object.entries(entries)) textChunk(keyword, text);
}

/**
 * Reads tEXt and uncompressed iTXt entries (compressed zTXt/iTXt are skipped: we never write them).
 * Throws INVALID_IMAGE on a malformed or truncated PNG or a text chunk with a bad CRC. Later
 * duplicates win.
 */
export function readPngText(png: Uint8Array): Record<string, string> {
  assertPngHeader(png);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const result: Record<string, string> = {};
  for (let offset = 8; ;) {
    if (offset + 12 > png.length) throw new PasticheError("INVALID_IMAGE", "Truncated PNG: no IEND chunk");
    const length = view.getUint32(offset);
    const type = decodeLatin1(png.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > png.length) throw new PasticheError("INVALID_IMAGE", `Truncated PNG: ${type} chunk runs past the end`);
    if (type === "IEND") return result;
    if (type === "tEXt" || type === "iTXt") {
      if (crc32(png.subarray(offset + 4, end - 4)) !== view.getUint32(end - 4)) {
        throw new PasticheError("INVALID_IMAGE", `Corrupt PNG: bad CRC in a ${type} chunk`);
      }
      const entry = parseText(type, png.subarray(offset + 8, end - 4));
      if (entry) result[entry[0]] = entry[1];
    }
    offset = end;
  }
}

function parseText(type: "tEXt" | "iTXt", data: Uint8Array): [string, string] | undefined {
  const nul = data.indexOf(0);
  if (nul < 1) return undefined;
  const keyword = decodeLatin1(data.subarray(0, nul));
  if (type === "tEXt") return [keyword, decodeLatin1(data.subarray(nul + 1))];
  if (data[nul + 1] !== 0) return undefined; // compressed iTXt
  const langEnd = data.indexOf(0, nul + 3);
  const translatedEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
  if (translatedEnd < 0) return undefined;
  return [keyword, new TextDecoder().decode(data.subarray(translatedEnd + 1))];
}
