/**
 * Reading an input file safely: only a regular file, opened without blocking (a FIFO would block
 * `open` until a writer comes), and never more than a cap of bytes (`/dev/zero` is "readable" forever).
 * Images, settings files and the hashes of a rerun's inputs all read through here.
 */
import { constants, type Stats } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { PasticheError, DEFAULT_MAX_INPUT_BYTES, formatBytes } from "@pastiche/core";

export { DEFAULT_MAX_INPUT_BYTES };

/** What a non-regular file is, for the message. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

export interface InputFileOptions {
  /** Names the file in errors, e.g. "Image file" (default "File"). */
  readonly what?: string;
  /** Refuse files larger than this many bytes (default DEFAULT_MAX_INPUT_BYTES). */
  readonly maxBytes?: number;
}

/**
 * Opens `path` for reading if it is a regular file no larger than the cap; FILE_NOT_FOUND,
 * INVALID_IMAGE (not a regular file, unreadable) or IMAGE_TOO_LARGE otherwise. The caller closes it.
 */
export async function openInputFile(path: string, options: InputFileOptions = {}): Promise<{ handle: FileHandle; size: number }> {
  const what = options.what ?? "File";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of hanging; the fstat below refuses it.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new PasticheError("FILE_NOT_FOUND", `${what} ${path} not found`, { cause: e });
    if (code === "EISDIR") throw new PasticheError("INVALID_IMAGE", `${what} ${path} is a directory, not a file`, { cause: e });
    if (code === "ENXIO") throw new PasticheError("INVALID_IMAGE", `${what} ${path} is not a regular file`, { cause: e });
    throw new PasticheError("INVALID_IMAGE", `${what} ${path} cannot be read (${(e as Error).message.split("\n")[0]})`, { cause: e });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new PasticheError("INVALID_IMAGE", `${what} ${path} is ${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) {
      throw new PasticheError("IMAGE_TOO_LARGE", `${what} ${path} is too large: ${formatBytes(st.size)}, over the limit of ${formatBytes(maxBytes)}`);
    }
    return { handle, size: st.size };
  } catch (e) {
    await handle.close().catch(() => undefined);
    throw e;
  }
}

/** The path that means standard input (the content image of `pastiche stylize - style.jpg`). */
export const STDIN_PATH = "-";

let stdinBytes: Promise<Buffer> | undefined;

/**
 * Standard input's bytes, read once per process (it cannot be read twice; the decoder and the
 * settings' sha256 both need them) and refused past the cap as soon as it is crossed.
 */
export function readStdinOnce(options: InputFileOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  stdinBytes ??= new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stdin = process.stdin;
    if (stdin.isTTY) {
      reject(new PasticheError("INVALID_IMAGE", "standard input (-) is a terminal: pipe an image into it (… < photo.jpg)"));
      return;
    }
    stdin.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        stdin.destroy();
        reject(new PasticheError("IMAGE_TOO_LARGE", `standard input (-) is too large: over the limit of ${formatBytes(maxBytes)}`));
        return;
      }
      chunks.push(chunk);
    });
    stdin.on("end", () => {
      resolve(Buffer.concat(chunks));
    });
    stdin.on("error", (e) => {
      reject(new PasticheError("INVALID_IMAGE", `standard input (-) cannot be read (${e.message})`, { cause: e }));
    });
  });
  return stdinBytes;
}

/** The bytes of a regular input file (see openInputFile), or of standard input for "-"; at most the cap even if it grows meanwhile. */
export async function readInputFile(path: string, options: InputFileOptions = {}): Promise<Buffer> {
  if (path === STDIN_PATH) return readStdinOnce(options);
  const { handle, size } = await openInputFile(path, options);
  try {
    const buffer = Buffer.alloc(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(buffer, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === size ? buffer : buffer.subarray(0, offset);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
