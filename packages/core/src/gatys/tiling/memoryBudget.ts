import { VGG19_LAYERS, deepestLayerIndex } from "../../vgg/layers.js";

/**
 * How much memory one Gatys evaluation takes, to choose a tile size from a budget. Memory grows
 * with the pixels VGG sees at once: the activations of every layer up to the deepest one used,
 * kept for the backward pass, and the gradients flowing back. `bytesPerPixel` is per input pixel for
 * the full VGG19 up to block5; shallower networks take proportionally less (see `activationShare`).
 * Calibrated from peak RSS at 256–768 px on each backend (numbers below).
 */
export interface MemoryModel {
  /** Process baseline: runtime, weights (dequantised, ~80 MB per copy), compiled kernels. */
  readonly baseBytes: number;
  readonly bytesPerPixel: number;
  /** Largest heap the backend can address at all (WASM: 4 GiB of 32-bit memory). */
  readonly capBytes: number;
  /**
   * Share of the budget kept free for what one evaluation's estimate does not see: memory freed by
   * earlier stages of a multi-scale run that the allocator keeps (glibc's heap under libtensorflow).
   */
  readonly headroom: number;
}

const GIB = 2 ** 30;

// Measured peak RSS of a 2-iteration untiled run (MiB): WASM 1190 @256², 2755 @512², fails @768²
// (past 4 GiB of 32-bit memory); tfjs-node 1163 @256², 2997 @512², 6233 @768², and one tiled
// iteration at 2048×1358 in 736² regions 6176. A whole multi-scale run to 2048 px peaked 1.2 GiB
// above its largest single evaluation on tfjs-node (freed memory kept by glibc): the headroom.
// tfjs-node's Winograd filters for block4–5 (~0.4 GB, built at ≥ 32² per layer) came with the
// smaller L-BFGS history (20 pairs, 0.3 GB less at 512²): a whole default 512² run peaked at
// 2.8–3.1 GB, under this model's 3.4 GiB, so the numbers stand.
export const MEMORY_MODELS: Readonly<Record<string, MemoryModel>> = {
  wasm: { baseBytes: 0.7 * GIB, bytesPerPixel: 9_000, capBytes: 3.5 * GIB, headroom: 0 },
  tensorflow: { baseBytes: 0.7 * GIB, bytesPerPixel: 11_000, capBytes: Number.POSITIVE_INFINITY, headroom: 0.2 },
  webgl: { baseBytes: 0.5 * GIB, bytesPerPixel: 9_000, capBytes: 2 * GIB, headroom: 0 },
  webgpu: { baseBytes: 0.5 * GIB, bytesPerPixel: 9_000, capBytes: 2 * GIB, headroom: 0 },
};

/** The model for a backend (a conservative default for unknown ones). */
export function memoryModel(backend: string): MemoryModel {
  return MEMORY_MODELS[backend] ?? MEMORY_MODELS.wasm!;
}

/**
 * Activation floats per input pixel up to `layers`' deepest layer, relative to up to block5_conv2:
 * each conv layer holds channels / 4^pools floats per pixel.
 */
export function activationShare(layers: readonly string[]): number {
  const perPixel = (upTo: number) => {
    let pools = 0;
    let floats = 0;
    for (const layer of VGG19_LAYERS.slice(0, upTo + 1)) {
      if (layer.kind === "pool") pools++;
      else floats += layer.outChannels / 4 ** pools;
    }
    return floats;
  };
  return perPixel(deepestLayerIndex(layers)) / perPixel(deepestLayerIndex(["block5_conv2"]));
}

/** Estimated peak bytes of an evaluation on `pixels` input pixels. */
export function estimateEvaluationBytes(pixels: number, layers: readonly string[], model: MemoryModel): number {
  return model.baseBytes + pixels * model.bytesPerPixel * activationShare(layers);
}

/**
 * The largest tile (core side, a multiple of `align`) whose region — core plus `margin` on each
 * side — fits the budget, or undefined when the whole `width`×`height` image fits and no tiling is
 * needed. Never below `minTile`: a budget too small for that is reported by the caller.
 */
export function chooseTileSize(
  width: number,
  height: number,
  maxBytes: number,
  layers: readonly string[],
  model: MemoryModel,
  margin: number,
  align: number,
): { tileSize: number | undefined; fits: boolean } {
  const budget = Math.min(maxBytes * (1 - model.headroom), model.capBytes);
  if (estimateEvaluationBytes(width * height, layers, model) <= budget) return { tileSize: undefined, fits: true };
  const available = (budget - model.baseBytes) / (model.bytesPerPixel * activationShare(layers));
  const region = Math.sqrt(Math.max(0, available));
  const tile = Math.floor((region - 2 * margin) / align) * align;
  const minTile = 4 * align;
  return tile >= minTile ? { tileSize: tile, fits: true } : { tileSize: minTile, fits: false };
}
