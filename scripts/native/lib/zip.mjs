// Minimal ZIP reader for wheels: lists the central directory and extracts chosen entries
// (stored or deflated) with a CRC-32 check. No dependencies; wheels are plain ZIP files.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import zlib from "node:zlib";

const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

/**
 * @typedef {{ name: string, method: number, crc32: number, compressedSize: number,
 *   size: number, localHeaderOffset: number, mode: number }} ZipEntry
 */

/** @returns {Promise<ZipEntry[]>} */
export async function listZip(path) {
  const fh = await open(path, "r");
  try {
    const { size: fileSize } = await fh.stat();
    const tailLen = Math.min(fileSize, 65_557 + 20);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, fileSize - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${path}: not a ZIP file (no end-of-central-directory record)`);
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || count === 0xffff) {
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== ZIP64_EOCD_LOCATOR_SIG) throw new Error(`${path}: broken ZIP64 locator`);
      const z64Offset = Number(tail.readBigUInt64LE(loc + 8));
      const z64 = Buffer.alloc(56);
      await fh.read(z64, 0, 56, z64Offset);
      if (z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new Error(`${path}: broken ZIP64 end record`);
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== CENTRAL_SIG) throw new Error(`${path}: corrupt central directory at entry ${i}`);
      const method = cd.readUInt16LE(p + 10);
      const crc32 = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const externalAttr = cd.readUInt32LE(p + 38);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
      // ZIP64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF, in order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) {
            localHeaderOffset = Number(cd.readBigUInt64LE(q));
          }
        }
        e += 4 + len;
      }
      entries.push({ name, method, crc32, compressedSize, size, localHeaderOffset, mode: (externalAttr >>> 16) & 0o777 });
      p = extraEnd + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Extract one entry to `dest` (atomically: temp file + rename), checking size and CRC-32. */
export async function extractEntry(zipPath, entry, dest) {
  const fh = await open(zipPath, "r");
  let dataStart;
  try {
    const hdr = Buffer.alloc(30);
    await fh.read(hdr, 0, 30, entry.localHeaderOffset);
    if (hdr.readUInt32LE(0) !== LOCAL_SIG) throw new Error(`${zipPath}: corrupt local header for ${entry.name}`);
    dataStart = entry.localHeaderOffset + 30 + hdr.readUInt16LE(26) + hdr.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  let crc = 0;
  let written = 0;
  const check = new Transform({
    transform(chunk, _enc, cb) {
      crc = zlib.crc32(chunk, crc);
      written += chunk.length;
      cb(null, chunk);
    },
  });
  const source = entry.compressedSize === 0 ? [Buffer.alloc(0)] : createReadStream(zipPath, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const stages = [source];
  if (entry.method === 8) stages.push(zlib.createInflateRaw());
  else if (entry.method !== 0) throw new Error(`${entry.name}: unsupported ZIP compression method ${entry.method}`);
  try {
    await pipeline(...stages, check, createWriteStream(tmp, { mode: entry.mode || 0o644 }));
    if (written !== entry.size || crc >>> 0 !== entry.crc32) {
      throw new Error(`${entry.name}: extracted data is corrupt (size ${written}/${entry.size}, CRC mismatch: ${crc >>> 0 !== entry.crc32})`);
    }
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
