/**
 * Decodes an image file into the RgbImage core works on: EXIF orientation applied, alpha flattened onto
 * white, sRGB, 8 bits per channel, optionally resized. Every failure is a one-line PasticheError that
 * names the file, because this is usually the first thing a user gets wrong.
 */
import sharp from "sharp";
import { DEFAULT_MAX_INPUT_PIXELS, PasticheError, firstLineOf, type RgbImage } from "@pastiche/core";
import { readInputFile } from "../fs/inputFile.js";
import { jpegHasEnd, pngHasEnd, sniffImage, SUPPORTED_INPUT_FORMATS } from "./sniff.js";

/**
 * Default cap on input width x height (about an 8660x5770 photo; 150 MB once decoded to RGB). Style
 * transfer works on far smaller images, and the cap stops a hostile or mistaken input (a 30000x30000
 * scan, a "decompression bomb" PNG) from exhausting memory. Checked from the header, before decoding.
 */
export { DEFAULT_MAX_INPUT_PIXELS };

/** Options of {@link readImage}: resizing and the size limits that refuse an image before it is decoded. */
export interface ReadImageOptions {
  /** Resize (up or down, keeping the aspect ratio) so the longer side is exactly this many pixels. */
  readonly longestSide?: number;
  /** Resize to exactly this size, stretching if the aspect ratio differs (masks); overrides longestSide. */
  readonly size?: { readonly width: number; readonly height: number };
  /** Refuse images with more pixels than this (IMAGE_TOO_LARGE). Default DEFAULT_MAX_INPUT_PIXELS. */
  readonly maxPixels?: number;
  /** Refuse files larger than this many bytes, before reading them. Default DEFAULT_MAX_INPUT_BYTES. */
  readonly maxBytes?: number;
  /** Refuse images with a side shorter than this (INVALID_IMAGE); the pipelines pass MIN_INPUT_SIDE, as the web app refuses. Default 1. */
  readonly minSide?: number;
}

/**
 * "error" rather than sharp's default "warning": it refuses truncated data (a JPEG cut short, a PNG
 * with a short or corrupt IDAT) but tolerates the benign warnings many real-world files trigger
 * (e.g. libpng's "known incorrect sRGB profile"), which "warning" would reject.
 */
const FAIL_ON = "error" as const;

/** How many trailing bytes to search for a PNG's IEND chunk (see pngHasEnd). */
const PNG_TAIL_WINDOW = 4096;

/** Size after EXIF orientation: orientations 5-8 are transposed (rotated by 90 or 270 degrees). */
export function orientedSize(width: number, height: number, orientation: number | undefined): { width: number; height: number } {
  return orientation !== undefined && orientation >= 5 ? { width: height, height: width } : { width, height };
}

/** Scales so the longer side is exactly `longestSide`; each side rounded, and at least 1 pixel. */
export function fitLongestSide(width: number, height: number, longestSide: number): { width: number; height: number } {
  const scale = longestSide / Math.max(width, height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new PasticheError("INVALID_OPTION", `readImage: ${name} must be a positive integer, got ${String(value)}`);
  }
}

function invalid(path: string, what: string, cause?: unknown): PasticheError {
  return new PasticheError("INVALID_IMAGE", `Image file ${path} ${what}`, { cause });
}

function tooLarge(path: string, size: { width: number; height: number }, maxPixels: number, resized = false): PasticheError {
  const n = (x: number): string => x.toLocaleString("en-US");
  const dims = `${size.width}x${size.height} (${n(size.width * size.height)} pixels)`;
  return new PasticheError(
    "IMAGE_TOO_LARGE",
    `Image file ${path} is too large: ${resized ? `resizing it to ${dims} would exceed` : `${dims} exceeds`} the limit of ${n(maxPixels)} pixels`,
  );
}

async function readBytes(path: string, maxBytes: number | undefined): Promise<Buffer> {
  // One read into memory: what we sniff is exactly what sharp decodes (no race with the file
  // changing), and it sidesteps libvips caching decoded files by name. Regular files only, size-capped.
  return readInputFile(path, { what: "Image file", ...(maxBytes !== undefined ? { maxBytes } : {}) });
}

/**
 * Reads a JPEG, PNG, WebP or TIFF file (detected from its content, not its name) as 8-bit sRGB.
 *
 * Errors (PasticheError): FILE_NOT_FOUND; INVALID_IMAGE for empty, unsupported, truncated or corrupt
 * files; IMAGE_TOO_LARGE when width x height (or the resized size) exceeds `maxPixels`;
 * INVALID_OPTION for a non-positive-integer option.
 */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<RgbImage> {
  const { longestSide, size, maxPixels = DEFAULT_MAX_INPUT_PIXELS, minSide = 1 } = options;
  if (longestSide !== undefined) assertPositiveInteger(longestSide, "longestSide");
  if (size !== undefined) {
    assertPositiveInteger(size.width, "size.width");
    assertPositiveInteger(size.height, "size.height");
  }
  assertPositiveInteger(maxPixels, "maxPixels");

  const bytes = await readBytes(path, options.maxBytes);
  if (bytes.length === 0) throw invalid(path, "is empty (0 bytes)");

  const sniffed = sniffImage(bytes);
  if (!sniffed.ok) {
    throw invalid(
      path,
      sniffed.refused === undefined
        ? `is not a ${SUPPORTED_INPUT_FORMATS} image`
        : `is ${sniffed.refused}, which is not supported (use ${SUPPORTED_INPUT_FORMATS})`,
    );
  }
  if (sniffed.format === "png" && !pngHasEnd(bytes.subarray(Math.max(0, bytes.length - PNG_TAIL_WINDOW)))) {
    throw invalid(path, "is truncated (the PNG has no IEND chunk)");
  }
  if (sniffed.format === "jpeg" && !jpegHasEnd(bytes)) {
    throw invalid(path, "is truncated (the JPEG has no end-of-image marker)");
  }

  // Header only: cheap even for a huge image, so the size limit is enforced before any pixel is decoded.
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { failOn: FAIL_ON, limitInputPixels: false }).metadata();
  } catch (e) {
    throw invalid(path, `is corrupt (${firstLineOf(e)})`, e);
  }
  if (meta.format !== sniffed.format) {
    throw invalid(path, `looks like ${sniffed.format} but decodes as ${meta.format}`);
  }
  if (meta.width * meta.height > maxPixels) throw tooLarge(path, meta, maxPixels);
  if (Math.min(meta.width, meta.height) < minSide) {
    throw invalid(path, `is ${meta.width}x${meta.height}: it needs at least ${minSide} pixels on each side`);
  }

  const oriented = orientedSize(meta.width, meta.height, meta.orientation);
  const target = size ?? (longestSide === undefined ? oriented : fitLongestSide(oriented.width, oriented.height, longestSide));
  if (target !== oriented && target.width * target.height > maxPixels) throw tooLarge(path, target, maxPixels, true);

  // limitInputPixels again as a backstop: libvips itself then refuses to decode past the cap.
  let pipeline = sharp(bytes, { failOn: FAIL_ON, limitInputPixels: maxPixels })
    .rotate() // no argument: apply the EXIF orientation, then drop the tag
    .flatten({ background: "#ffffff" })
    .toColourspace("srgb");
  if (target.width !== oriented.width || target.height !== oriented.height) {
    // fit "fill" because we computed the exact size; lanczos3 is the sharpest of sharp's kernels.
    pipeline = pipeline.resize(target.width, target.height, { fit: "fill", kernel: "lanczos3" });
  }
  try {
    const { data, info } = await pipeline.removeAlpha().raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`unexpected decoder output: ${info.width}x${info.height}x${info.channels}`);
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (e) {
    if (/pixel limit/i.test(firstLineOf(e))) throw tooLarge(path, meta, maxPixels);
    throw invalid(path, `is truncated or corrupt (${firstLineOf(e)})`, e);
  }
}
