// Shared fixtures: every test makes its own images with sharp in a private temp dir (no checked-in files).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { isPasticheError, type PasticheError } from "@pastiche/core";

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "pastiche-images-test-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic, non-trivial RGB pixels (so a swapped channel or off-by-one row shows up). */
export function patternRgb(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919 + (i >> 5) * 31) % 251;
  return data;
}

export function rawInput(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4 = 3): sharp.Sharp {
  return sharp(data, { raw: { width, height, channels } });
}

/** Runs `fn` and returns the PasticheError it throws (fails the test if it throws anything else). */
export async function catchPasticheError(fn: () => Promise<unknown>): Promise<PasticheError> {
  try {
    await fn();
  } catch (e) {
    if (isPasticheError(e)) return e;
    throw new Error(`expected a PasticheError, got ${String(e)}`, { cause: e });
  }
  throw new Error("expected a PasticheError, but nothing was thrown");
}

export function pixel(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(i, i + 3));
}
