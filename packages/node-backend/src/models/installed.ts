import { statSync } from "node:fs";
import path from "node:path";
import { resolveModelsDir } from "./modelsDir.js";
import type { ModelEntry } from "./registry.js";

/**
 * Whether one of a model's accepted local forms is a file in the models directory: a file check,
 * nothing is read (a present but corrupt file shows up when it is loaded). Synchronous and free of
 * TensorFlow.js, for servers that only report availability.
 */
export function isModelInstalled(entry: ModelEntry, modelsDir: string = resolveModelsDir().dir): boolean {
  return entry.localForms.some((form) => statSync(path.join(modelsDir, form.path), { throwIfNoEntry: false })?.isFile() ?? false);
}
