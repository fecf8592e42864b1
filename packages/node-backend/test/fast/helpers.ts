import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** PASTICHE_MODELS_DIR resolved against the working directory, then the repository root. */
export function realModelsDir(): string | undefined {
  const value = process.env["PASTICHE_MODELS_DIR"];
  if (!value) return undefined;
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
  const fromCwd = path.resolve(value);
  const dir = existsSync(fromCwd) ? fromCwd : path.resolve(repoRoot, value);
  return existsSync(path.join(dir, "magenta-arbitrary-tflite")) ? dir : undefined;
}

/** The shared test images (../shared/images from the repository root). */
export const sharedImages = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../../shared/images");

/** Mean absolute difference of two equal-size RGB images, in levels of 255. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}
