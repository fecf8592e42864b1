/**
 * Where image bytes live: uploads, thumbnails, results, previews. Embedded mode keeps them in the
 * data directory (dataDirBlobs.ts); cluster mode in PostgreSQL (postgresBlobs.ts), so every web
 * server and worker reaches them. An S3-compatible store would be a third implementation of this
 * interface (put = PutObject, stream = GetObject's body, delete = DeleteObject, list =
 * ListObjectsV2 by prefix `<kind>/`), nothing else changes.
 */
import type { Readable } from "node:stream";
import type { Repository } from "../../db/repository/repository";

/** `checkpoint`: a running Quality job's latest image, lossless, for a retry to resume from (cluster mode). */
export const BLOB_KINDS = ["upload", "thumbnail", "result", "preview", "checkpoint"] as const;
export type BlobKind = (typeof BLOB_KINDS)[number];

export interface BlobStore {
  /**
   * Stores `data` under (kind, id), replacing what was there, atomically: readers see the old blob
   * or the whole new one. Takes the bytes at once: every blob is made in memory (sharp's re-encode,
   * the PNG encoder), bounded by the upload and output limits.
   */
  put(kind: BlobKind, id: string, data: Uint8Array): Promise<void>;
  /** The whole blob, or undefined when there is none. */
  get(kind: BlobKind, id: string): Promise<Buffer | undefined>;
  /** The blob in chunks (for responses), with its size; undefined when there is none. */
  stream(kind: BlobKind, id: string): Promise<{ size: number; body: Readable } | undefined>;
  /** Removes the blob; no error when there is none. */
  delete(kind: BlobKind, id: string): Promise<void>;
  /** The ids stored under a kind (start-up reconciliation removes those without a row). */
  list(kind: BlobKind): Promise<string[]>;
  /**
   * `put` inside the repository's transaction `tx`, so the blob commits or rolls back with the rows
   * (only a store in the repository's own database can: PostgreSQL's). Undefined when unsupported.
   */
  readonly putInTransaction?: (tx: Repository, kind: BlobKind, id: string, data: Uint8Array) => Promise<void>;
}
