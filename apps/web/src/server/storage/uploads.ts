/**
 * Accepting an uploaded image: every check happens on the bytes in memory before anything is written.
 * The type comes from the magic number (sniffImage), the pixel count from the header (sharp's
 * metadata reads no pixel data), and a full decode into the thumbnail proves the file is whole.
 * What is stored is not the visitor's bytes but the decoded image re-encoded (orientation applied,
 * EXIF/GPS/XMP/ICC metadata gone): JPEG stays JPEG, everything else becomes PNG (lossless, and
 * shown by every browser, which TIFF is not). Only then are the file, its thumbnail and its row
 * stored.
 */
import sharp from "sharp";
import { MIN_INPUT_SIDE } from "@pastiche/core/light";
import { formatBytes, jpegHasEnd, pngHasEnd, sniffImage, SUPPORTED_INPUT_FORMATS } from "@pastiche/node/light";
import type { ImageRole, UploadedImage, UploadFormat } from "../../shared/jobSchemas";
import type { Repository } from "../db/repository/repository";
import type { NewUpload, UploadRow } from "../db/repository/rows";
import { DISK_FULL_MESSAGE, isDiskFull } from "../limits/storage";
import type { BlobStore } from "./blobs/blobStore";
import { newId } from "./ids";

export type UploadRefusalReason = "empty" | "too-many-bytes" | "not-an-image" | "too-many-pixels" | "too-small" | "damaged" | "quota" | "disk-full";

/** Why an upload was refused; `message` is one sentence for the user. */
export class UploadRefusal extends Error {
  override readonly name = "UploadRefusal";
  constructor(
    readonly reason: UploadRefusalReason,
    message: string,
  ) {
    super(message);
  }
}

const THUMBNAIL_SIDE = 256;

export { formatBytes };

function formatPixels(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)} megapixels` : `${n.toLocaleString("en-US")} pixels`;
}

/** The size check, shared with the route handler that counts a streamed body. */
export function tooManyBytes(bytes: number | null, maxBytes: number): UploadRefusal {
  const size = bytes === null ? "larger than" : `${formatBytes(bytes)}, over`;
  return new UploadRefusal("too-many-bytes", `The file is ${size} the upload limit of ${formatBytes(maxBytes)}.`);
}

export interface UploadLimits {
  maxUploadBytes: number;
  maxInputPixels: number;
}

export interface CheckedImage {
  /** The stored format: "jpeg" for JPEG input, "png" for the rest. */
  format: Extract<UploadFormat, "jpeg" | "png">;
  width: number;
  height: number;
  /** The re-encoded image (no metadata, upright). */
  encoded: Buffer;
  thumbnail: Buffer;
}

/** All the checks, no side effects. Throws UploadRefusal. */
export async function checkImage(bytes: Uint8Array, limits: UploadLimits): Promise<CheckedImage> {
  if (bytes.length === 0) throw new UploadRefusal("empty", "The file is empty (0 bytes).");
  if (bytes.length > limits.maxUploadBytes) throw tooManyBytes(bytes.length, limits.maxUploadBytes);
  const sniffed = sniffImage(bytes.subarray(0, 16));
  if (!sniffed.ok) {
    throw new UploadRefusal(
      "not-an-image",
      sniffed.refused !== undefined
        ? `The file is ${sniffed.refused}; Pastiche reads ${SUPPORTED_INPUT_FORMATS} images.`
        : `The file is not an image Pastiche can read (${SUPPORTED_INPUT_FORMATS}).`,
    );
  }
  const damaged = (detail?: string): UploadRefusal =>
    new UploadRefusal("damaged", `The ${sniffed.format.toUpperCase()} image is damaged or incomplete${detail ? ` (${detail})` : ""}.`);
  let meta: sharp.Metadata;
  try {
    // Header only: the pixel limit is checked before anything is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw damaged(e instanceof Error ? e.message.split("\n")[0] : undefined);
  }
  if (meta.width === undefined || meta.height === undefined) throw damaged("no size in its header");
  const rotated = meta.orientation !== undefined && meta.orientation >= 5;
  const width = rotated ? meta.height : meta.width;
  const height = rotated ? meta.width : meta.height;
  const pixels = width * height;
  if (pixels > limits.maxInputPixels) {
    throw new UploadRefusal(
      "too-many-pixels",
      `The image is ${width}×${height} (${formatPixels(pixels)}), over the limit of ${formatPixels(limits.maxInputPixels)}.`,
    );
  }
  // Core's bound (VGG's five pooling layers halve the image), so the web refuses what the pipeline would.
  if (width < MIN_INPUT_SIDE || height < MIN_INPUT_SIDE)
    throw new UploadRefusal("too-small", `The image is ${width}×${height}; it needs at least ${MIN_INPUT_SIDE} pixels on each side.`);
  // Decoders accept some truncated files; the end markers make the answer reliable (as readImage does).
  if (sniffed.format === "png" && !pngHasEnd(bytes.subarray(Math.max(0, bytes.length - 4096)))) throw damaged("it is cut short");
  if (sniffed.format === "jpeg" && !jpegHasEnd(bytes)) throw damaged("it is cut short");
  let thumbnail: Buffer;
  let encoded: Buffer;
  const format = sniffed.format === "jpeg" ? "jpeg" : "png";
  try {
    const decoded = sharp(bytes, { limitInputPixels: limits.maxInputPixels, failOn: "error" }).rotate();
    thumbnail = await decoded
      .clone()
      .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .jpeg({ quality: 80 })
      .toBuffer();
    // sharp writes no metadata unless asked (withMetadata/keepExif): GPS, camera, copyright are gone.
    encoded = await (format === "jpeg" ? decoded.jpeg({ quality: 92, chromaSubsampling: "4:4:4" }) : decoded.png()).toBuffer();
  } catch (e) {
    throw damaged(e instanceof Error ? e.message.split("\n")[0] : undefined);
  }
  return { format, width, height, encoded, thumbnail };
}

export function imageUrl(id: string): string {
  return `/api/images/${id}`;
}

export function thumbnailUrl(id: string): string {
  return `/api/images/${id}?thumb=1`;
}

export function uploadView(row: Pick<UploadRow, "id" | "width" | "height" | "format" | "bytes">): UploadedImage {
  return { id: row.id, width: row.width, height: row.height, format: row.format, bytes: row.bytes, url: imageUrl(row.id), thumbnailUrl: thumbnailUrl(row.id) };
}

export interface StoreUploadDeps {
  repo: Repository;
  blobs: BlobStore;
  limits: UploadLimits;
}

export interface StoreUploadOptions {
  /** The visitor's owner key; null for example styles. */
  owner: string | null;
  exampleKey?: string | null;
  /**
   * Called with the bytes the upload will take before anything is written (on the repository), and
   * again in the transaction that inserts the row (on `tx`); throws to refuse (quota).
   */
  admit?: (repo: Repository, diskBytes: number) => Promise<void>;
}

/**
 * Checks and stores an upload; nothing is stored when it is refused. Blobs first, row last: a crash
 * in between leaves only blobs without a row, which start-up removes (sweeper.ts).
 */
export async function storeUpload(bytes: Uint8Array, role: ImageRole, deps: StoreUploadDeps, options: StoreUploadOptions): Promise<UploadedImage> {
  const image = await checkImage(bytes, deps.limits);
  const diskBytes = image.encoded.length + image.thumbnail.length;
  await options.admit?.(deps.repo, diskBytes);
  const id = newId();
  try {
    await deps.blobs.put("upload", id, image.encoded);
    await deps.blobs.put("thumbnail", id, image.thumbnail);
    const row: NewUpload = {
      id,
      role,
      format: image.format,
      width: image.width,
      height: image.height,
      bytes: image.encoded.length,
      example_key: options.exampleKey ?? null,
      created_at: new Date().toISOString(),
      owner: options.owner,
      disk_bytes: diskBytes,
    };
    // Again, in the row's transaction: two uploads of one visitor may have been admitted at the same
    // time (admit locks the visitor's quota for the transaction).
    await deps.repo.transaction(async (tx) => {
      await options.admit?.(tx, diskBytes);
      await tx.uploads.insert(row);
    });
    return uploadView(row);
  } catch (e) {
    await Promise.all([deps.blobs.delete("upload", id).catch(() => undefined), deps.blobs.delete("thumbnail", id).catch(() => undefined)]);
    if (isDiskFull(e)) throw new UploadRefusal("disk-full", DISK_FULL_MESSAGE);
    throw e;
  }
}
