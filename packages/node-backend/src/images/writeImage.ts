/**
 * Encodes an RgbImage (or a 16-bit RgbImage16, for PNG and TIFF) to PNG, JPEG, WebP or TIFF (chosen by the output extension) and writes it atomically,
 * so a crash, a full disk or Ctrl-C never leaves a half-written image, or destroys the previous one,
 * at the target path. Plus a cheap pre-flight check the CLI runs before a long stylisation.
 */
import { constants } from "node:fs";
import { access, open, realpath, rm, stat } from "node:fs/promises";
import { deflateSync } from "node:zlib";
import { basename, dirname, extname, join, resolve } from "node:path";
import sharp from "sharp";
import { assertRgbImage, PasticheError, firstLineOf, type RgbImage, type RgbImage16 } from "@pastiche/core";
import { TEMP_FILE_PREFIX, tempPathIn, writeFileAtomic } from "../fs/atomicWrite.js";
import { insertPngText, pngChunk, validatePngText } from "./pngText.js";

export { TEMP_FILE_PREFIX };

/** An output image format, chosen by {@link outputFormatFromPath} from the file's extension. */
export type OutputFormat = "png" | "jpeg" | "webp" | "tiff";

const FORMAT_BY_EXTENSION: Readonly<Record<string, OutputFormat>> = {
  ".png": "png",
  ".jpg": "jpeg",
  ".jpeg": "jpeg",
  ".webp": "webp",
  ".tif": "tiff",
  ".tiff": "tiff",
};

/** Formats a 16-bit image can be written in (`--depth 16`). */
export const HIGH_DEPTH_FORMATS: readonly OutputFormat[] = ["png", "tiff"];

/** Refuses a 16-bit output to a format that has no 16-bit samples, before any work (INVALID_OPTION). */
export function assertHighDepthOutput(path: string): void {
  const format = outputFormatFromPath(path);
  if (format === undefined || !HIGH_DEPTH_FORMATS.includes(format)) {
    throw new PasticheError("INVALID_OPTION", `16-bit output needs a .png or .tif output, not ${path}`);
  }
}

/** The output file extensions {@link writeImage} accepts (`.png`, `.jpg`, `.webp`, `.tif` …). */
export const SUPPORTED_OUTPUT_EXTENSIONS: readonly string[] = Object.keys(FORMAT_BY_EXTENSION);

/** JPEG/WebP quality when none is given: high, because the output is the artwork. */
export const DEFAULT_OUTPUT_QUALITY = 92;

/** Options of {@link writeImage}. */
export interface WriteImageOptions {
  /** 1-100, for JPEG and WebP (PNG is lossless). Default DEFAULT_OUTPUT_QUALITY. */
  readonly quality?: number;
  /** Stored as PNG tEXt (or iTXt for non-Latin-1 values) chunks. Ignored for JPEG/WebP. */
  readonly text?: Readonly<Record<string, string>>;
}

/** The output format for a path, from its extension (case-insensitive), or undefined. */
export function outputFormatFromPath(path: string): OutputFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

function notWritable(path: string, reason: string, cause?: unknown): PasticheError {
  return new PasticheError("OUTPUT_NOT_WRITABLE", `Cannot write ${path}: ${reason}`, { cause });
}

function formatFor(path: string): OutputFormat {
  const format = outputFormatFromPath(path);
  if (format === undefined) {
    const ext = extname(path);
    const what = ext === "" ? "it has no file extension" : `unsupported extension "${ext}"`;
    throw notWritable(path, `${what} (supported: ${SUPPORTED_OUTPUT_EXTENSIONS.join(", ")})`);
  }
  return format;
}

/** Turns a Node fs error into a short reason; `dir` is the directory we were writing into. */
function describeFsError(e: unknown, dir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return `directory ${dir} does not exist`;
    case "ENOTDIR":
      return `${dir} is not a directory`;
    case "EACCES":
    case "EPERM":
      return `permission denied in ${dir}`;
    case "EROFS":
      return `${dir} is on a read-only file system`;
    case "ENOSPC":
      return "no space left on device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EISDIR":
      return "it is a directory";
    default:
      return firstLineOf(e);
  }
}

async function encode(image: RgbImage | RgbImage16, format: OutputFormat, quality: number): Promise<Uint8Array> {
  if (image.data instanceof Uint16Array) return encode16(image as RgbImage16, format);
  // Inputs are converted to sRGB when read (their own ICC profile applied), so the output states
  // sRGB with an embedded profile rather than leaving viewers to guess.
  const input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).withIccProfile("srgb");
  switch (format) {
    case "png":
      return input.png().toBuffer();
    case "jpeg":
      // mozjpeg: smaller files at the same quality; 4:4:4 so saturated brush strokes keep their colour.
      return input.jpeg({ quality, mozjpeg: true, chromaSubsampling: "4:4:4" }).toBuffer();
    case "webp":
      return input.webp({ quality }).toBuffer();
    case "tiff":
      return input.tiff({ compression: "deflate", predictor: "horizontal" }).toBuffer();
  }
}

/**
 * 16-bit samples, written as they are. libvips' ICC transform changes 16-bit values even from sRGB
 * to sRGB, so sharp is not asked for a profile: a PNG gets the same sRGB profile as the 8-bit
 * outputs in an iCCP chunk we insert; a 16-bit TIFF is untagged (sRGB by convention, as documented).
 */
async function encode16(image: RgbImage16, format: OutputFormat): Promise<Uint8Array> {
  const input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).toColourspace("rgb16");
  switch (format) {
    case "png": {
      const png = await input.png().toBuffer();
      const profile = deflateSync(await srgbProfile());
      const iccp = pngChunk("iCCP", Buffer.concat([Buffer.from("sRGB\0\0", "latin1"), profile]));
      const afterIhdr = 8 + 12 + 13;
      return Buffer.concat([png.subarray(0, afterIhdr), iccp, png.subarray(afterIhdr)]);
    }
    case "tiff":
      return input.tiff({ compression: "deflate", predictor: "horizontal" }).toBuffer();
    default:
      throw new PasticheError("INVALID_OPTION", `16-bit output needs PNG or TIFF, not ${format.toUpperCase()}`);
  }
}

let srgbProfileBytes: Promise<Buffer> | undefined;
/** The sRGB ICC profile sharp embeds in the 8-bit outputs (taken from a 1-pixel encode, once). */
function srgbProfile(): Promise<Buffer> {
  srgbProfileBytes ??= sharp(Buffer.from([0, 0, 0]), { raw: { width: 1, height: 1, channels: 3 } })
    .withIccProfile("srgb")
    .png()
    .toBuffer()
    .then(async (png) => (await sharp(png).metadata()).icc!);
  return srgbProfileBytes;
}

/**
 * Writes `image` to `path` atomically: encode, write a temp file in the same directory (rename is only
 * atomic within a file system), fsync, rename over the target. On failure the temp file is removed,
 * an existing target is left untouched, and OUTPUT_NOT_WRITABLE says why. Invalid arguments throw
 * INVALID_IMAGE (bad RgbImage) or INVALID_OPTION (quality, text keywords) before anything is written.
 */
export async function writeImage(path: string, image: RgbImage | RgbImage16, options: WriteImageOptions = {}): Promise<void> {
  const format = formatFor(path);
  if (image.data instanceof Uint16Array) {
    if (!HIGH_DEPTH_FORMATS.includes(format)) throw new PasticheError("INVALID_OPTION", `Cannot write ${path}: 16-bit output needs a .png or .tif file`);
    if (image.data.length !== image.width * image.height * 3) throw new PasticheError("INVALID_IMAGE", `Image to write to ${path}: wrong 16-bit sample count`);
  } else {
    assertRgbImage(image as RgbImage, `Image to write to ${path}`);
  }
  const { quality = DEFAULT_OUTPUT_QUALITY, text } = options;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new PasticheError("INVALID_OPTION", `writeImage: quality must be an integer from 1 to 100, got ${String(quality)}`);
  }
  if (format === "png" && text !== undefined) validatePngText(text);

  let bytes: Uint8Array;
  try {
    bytes = await encode(image, format, quality);
  } catch (e) {
    throw notWritable(path, `encoding ${format.toUpperCase()} failed (${firstLineOf(e)})`, e);
  }
  if (format === "png" && text !== undefined) bytes = insertPngText(bytes, text);
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    throw notWritable(path, describeFsError(e, dirname(path)), e);
  }
}

/** An input of a run, for {@link assertWritableOutput}: the output must not be it. */
export interface RunInputFile {
  readonly path: string;
  /** e.g. "content image", "style image 2", "style mask 1", "starting image". */
  readonly role: string;
}

/** Where a path really points: its real path (or its real directory's, if it does not exist yet) and its inode. */
async function fileIdentity(p: string): Promise<{ real: string; inode: string | undefined }> {
  const real = await realpath(p).catch(async () => join(await realpath(dirname(p)).catch(() => resolve(dirname(p))), basename(p)));
  const st = await stat(p).catch(() => undefined);
  return { real, inode: st ? `${st.dev}:${st.ino}` : undefined };
}

/**
 * Refuses an output that is one of the run's inputs: the same path, a symlink to it, or a hard link
 * (same inode). Writing it would destroy the input (e.g. `-o` naming the style painting).
 */
export async function assertOutputIsNotInput(path: string, inputs: readonly RunInputFile[]): Promise<void> {
  if (inputs.length === 0) return;
  const out = await fileIdentity(path);
  for (const input of inputs) {
    const id = await fileIdentity(input.path);
    if (id.real === out.real || (out.inode !== undefined && id.inode === out.inode)) {
      throw notWritable(path, `it is the ${input.role} (${input.path}); choose another output`);
    }
  }
}

/**
 * Cheap pre-flight for `path`, so the CLI fails in milliseconds rather than after a long run: the
 * extension is supported, the path is not a directory nor one of `inputs`, an existing file there is
 * one the user may replace (writable: a read-only 0444 or immutable file is refused, although the
 * directory would let a rename replace it; in a sticky directory, only its owner's), and its
 * directory exists and accepts a new file (checked by creating and removing a temp file: permission
 * bits alone miss read-only mounts, ACLs, and root). Throws OUTPUT_NOT_WRITABLE with a one-line reason.
 */
export async function assertWritableOutput(path: string, inputs: readonly RunInputFile[] = []): Promise<void> {
  formatFor(path);
  await assertWritableFile(path, inputs);
}

/** {@link assertWritableOutput} without the image-extension check (videos and other non-image outputs). */
export async function assertWritableFile(path: string, inputs: readonly RunInputFile[] = []): Promise<void> {
  const dir = dirname(path);
  const target = await stat(path).catch((e: unknown) => e as NodeJS.ErrnoException);
  if (target instanceof Error) {
    if (target.code !== "ENOENT") throw notWritable(path, describeFsError(target, dir), target);
  } else if (target.isDirectory()) {
    throw notWritable(path, "it is a directory");
  } else {
    if (!target.isFile()) throw notWritable(path, "it exists and is not a regular file");
    await assertOutputIsNotInput(path, inputs);
    await assertReplaceable(path, target);
  }

  const probe = tempPathIn(dir);
  try {
    const handle = await open(probe, "wx");
    await handle.close();
  } catch (e) {
    throw notWritable(path, describeFsError(e, dir), e);
  }
  await rm(probe, { force: true });
  // A new output may still be a path an input will be read from (e.g. through a symlinked directory).
  if (target instanceof Error) await assertOutputIsNotInput(path, inputs);
}

/** An existing output may be replaced only if the user could write it in place. */
async function assertReplaceable(path: string, target: import("node:fs").Stats): Promise<void> {
  const mode = (target.mode & 0o777).toString(8).padStart(4, "0");
  // No write bit at all: protected on purpose (root's access() would say yes, so check the bits too).
  if ((target.mode & 0o222) === 0) throw notWritable(path, `it exists and is read-only (mode ${mode}); make it writable or choose another output`);
  try {
    await access(path, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "EPERM"
        ? "it exists and is immutable (chattr -i to allow replacing it)"
        : code === "EROFS"
          ? "it is on a read-only file system"
          : `it exists and is not writable by you (mode ${mode})`;
    throw notWritable(path, `${why}; choose another output`, e);
  }
  const dirStat = await stat(dirname(path)).catch(() => undefined);
  const uid = process.getuid?.();
  if (dirStat && (dirStat.mode & 0o1000) !== 0 && uid !== undefined && uid !== 0 && target.uid !== uid && dirStat.uid !== uid) {
    throw notWritable(path, `it belongs to another user in the sticky directory ${dirname(path)}; choose another output`);
  }
}
