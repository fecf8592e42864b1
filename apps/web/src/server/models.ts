import { existsSync } from "node:fs";
import path from "node:path";
import { MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, VGG19_MODEL, resolveModelsDir, type ModelEntry } from "@pastiche/node/light";

/**
 * Whether each mode's model files are installed, from the catalogue's accepted local forms (a file
 * check: the server never loads a model; a present but corrupt file shows up as a failed job).
 */
export function modelAvailability(modelsDir: string | undefined): { quality: boolean; fast: boolean } {
  const dir = modelsDir ?? resolveModelsDir().dir;
  const present = (entry: ModelEntry): boolean => entry.localForms.some((form) => existsSync(path.join(dir, form.path)));
  return { quality: present(VGG19_MODEL), fast: present(MAGENTA_STYLE_PREDICT_MODEL) && present(MAGENTA_STYLE_TRANSFER_MODEL) };
}
