import { readFile, stat } from "node:fs/promises";
import type { Stats } from "node:fs";

/** `stat` that returns undefined for a path that does not exist (or cannot be reached). */
export async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

/** Read a whole file into an ArrayBuffer of exactly its size (no copy when Node allocated one). */
export async function readFileArrayBuffer(p: string): Promise<ArrayBuffer> {
  const b = await readFile(p);
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return (e as NodeJS.ErrnoException).code ?? e.message;
  return String(e);
}
