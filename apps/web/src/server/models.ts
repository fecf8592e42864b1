import { MAGENTA_STYLE_PREDICT_MODEL, MAGENTA_STYLE_TRANSFER_MODEL, VGG19_MODEL, isModelInstalled, resolveModelsDir } from "@pastiche/node/light";

/**
 * Whether each mode's model files are installed (a file check: the server never loads a model; a
 * present but corrupt file shows up as a failed job).
 */
export function modelAvailability(modelsDir: string | undefined): { quality: boolean; fast: boolean } {
  const dir = modelsDir ?? resolveModelsDir().dir;
  return {
    quality: isModelInstalled(VGG19_MODEL, dir),
    fast: isModelInstalled(MAGENTA_STYLE_PREDICT_MODEL, dir) && isModelInstalled(MAGENTA_STYLE_TRANSFER_MODEL, dir),
  };
}
