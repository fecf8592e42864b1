/**
 * Format detection from a file's leading bytes. File names lie (a PNG saved as .jpg, a web page saved
 * as .png), so readImage never trusts the extension: it decides from the magic number and refuses
 * anything that is not one of the formats we promise to decode the same way everywhere.
 */

/** Formats readImage accepts. GIF/AVIF/HEIF/etc. are refused even though sharp could decode some. */
export type ImageFormat = "jpeg" | "png" | "webp" | "tiff";

/** Human-readable list used in error messages. */
export const SUPPORTED_INPUT_FORMATS = "JPEG, PNG, WebP or TIFF";

/** How many leading bytes sniffImage needs to tell every format below apart. */
export const SNIFF_LENGTH = 16;

/** What {@link sniffImage} found in a file's first bytes: a supported format, or why not. */
export type SniffResult =
  | { readonly ok: true; readonly format: ImageFormat }
  /** `refused` names a recognised but unsupported format (e.g. "a GIF image"), else undefined. */
  | { readonly ok: false; readonly refused: string | undefined };

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((b, i) => bytes[offset + i] === b);
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TIFF_LE = [0x49, 0x49, 0x2a, 0x00];
const TIFF_BE = [0x4d, 0x4d, 0x00, 0x2a];
// BigTIFF: libtiff reads it, and it is how >4 GiB scans are stored.
const BIGTIFF_LE = [0x49, 0x49, 0x2b, 0x00];
const BIGTIFF_BE = [0x4d, 0x4d, 0x00, 0x2b];
const JXL_CODESTREAM = [0xff, 0x0a];
const JXL_CONTAINER = [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a];

/** ISO-BMFF brands (bytes 8..12 after "ftyp") of the HEIF family. */
const AVIF_BRANDS = new Set(["avif", "avis"]);
const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);

/** Identifies the format of an image from its first bytes (at least SNIFF_LENGTH when available). */
export function sniffImage(head: Uint8Array): SniffResult {
  if (startsWith(head, JPEG)) return { ok: true, format: "jpeg" };
  if (startsWith(head, PNG)) return { ok: true, format: "png" };
  if (startsWith(head, ascii("RIFF")) && startsWith(head, ascii("WEBP"), 8)) return { ok: true, format: "webp" };
  if ([TIFF_LE, TIFF_BE, BIGTIFF_LE, BIGTIFF_BE].some((sig) => startsWith(head, sig))) {
    return { ok: true, format: "tiff" };
  }
  return { ok: false, refused: describeRefused(head) };
}

/** Names common formats we refuse, so the error says "a GIF image" rather than "not an image". */
function describeRefused(head: Uint8Array): string | undefined {
  if (startsWith(head, ascii("GIF87a")) || startsWith(head, ascii("GIF89a"))) return "a GIF image";
  if (startsWith(head, ascii("ftyp"), 4) && head.length >= 12) {
    const brand = String.fromCharCode(...head.subarray(8, 12));
    if (AVIF_BRANDS.has(brand)) return "an AVIF image";
    if (HEIF_BRANDS.has(brand)) return "a HEIF/HEIC image";
  }
  if (startsWith(head, ascii("BM"))) return "a BMP image";
  if (startsWith(head, JXL_CONTAINER) || startsWith(head, JXL_CODESTREAM)) return "a JPEG XL image";
  return undefined;
}

/** The 8 bytes that end every PNG: the IEND type and its (constant) CRC. */
const PNG_IEND = [...ascii("IEND"), 0xae, 0x42, 0x60, 0x82];

/**
 * Whether a PNG's IEND chunk is present in `tail` (the last bytes of the file). The decoders accept a
 * PNG cut anywhere after its last IDAT (the pixels are complete), but a missing IEND still means the
 * file was truncated, e.g. an interrupted download, and we promise to refuse truncated files. We look
 * in a window rather than only at the very end because some tools append bytes after IEND.
 */
export function pngHasEnd(tail: Uint8Array): boolean {
  for (let i = tail.length - PNG_IEND.length; i >= 0; i--) {
    if (startsWith(tail, PNG_IEND, i)) return true;
  }
  return false;
}

/**
 * Whether a JPEG's marker structure reaches its EOI (end of image) marker. libjpeg only notices a
 * missing end when its bit reader happens to look past the last scan, so a file cut just before EOI
 * may decode without complaint depending on its size; walking the markers makes the answer reliable.
 * Segments are skipped by their length (so an EXIF thumbnail's own EOI does not count) and bytes after
 * EOI are ignored (phones append videos to "motion photos"). Like libjpeg, stray bytes between
 * segments are tolerated. Scanning entropy-coded data is a native indexOf per 0xFF byte: cheap.
 */
export function jpegHasEnd(bytes: Uint8Array): boolean {
  let pos = 2; // after SOI
  for (;;) {
    pos = bytes.indexOf(0xff, pos);
    if (pos < 0) return false;
    while (bytes[pos] === 0xff) pos++; // fill bytes
    if (pos >= bytes.length) return false;
    const marker = bytes[pos++]!;
    if (marker === 0xd9) return true;
    // 0x00 is a stuffed 0xFF inside scan data; TEM and RST0-7 stand alone; the rest have a length.
    if (marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (pos + 2 > bytes.length) return false;
    pos += (bytes[pos]! << 8) | bytes[pos + 1]!;
  }
}
