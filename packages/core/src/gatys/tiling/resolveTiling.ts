import { PasticheError } from "../../errors.js";
import { formatBytes } from "../../formatBytes.js";
import { VGG19_LAYERS, deepestLayerIndex } from "../../vgg/layers.js";
import { chooseTileSize, estimateEvaluationBytes, memoryModel } from "./memoryBudget.js";
import type { GatysOptions } from "../options.js";

/** How an image is cut into tiles: the core side, the context margin and the alignment (all px). */
export interface GramTiling {
  readonly tileSize: number;
  readonly margin: number;
  readonly align: number;
}

/** Context around each tile, in pixels: enough for the first blocks' features at the tile's edge to match the whole image's. */
const TILE_MARGIN = 32;

/** 2^pools before the deepest layer: tile coordinates on multiples of it map to whole feature cells. */
export function tileAlignment(layers: readonly string[]): number {
  return 2 ** VGG19_LAYERS.slice(0, deepestLayerIndex(layers) + 1).filter((l) => l.kind === "pool").length;
}

/**
 * Whether (and how) a `width`×`height` stage is tiled: never with "off", at the given size when
 * it is smaller than the image, and with "auto" only when one evaluation would not fit
 * `maxMemory` on this backend. Refuses what tiling can't do, naming the way out.
 */
export function resolveTiling(width: number, height: number, options: GatysOptions, backend: string, hasMasks: boolean): GramTiling | undefined {
  if (options.tileSize === "off") return undefined;
  const layers = [...options.contentLayers, ...options.styleLayers];
  const align = tileAlignment(layers);
  const margin = Math.ceil(TILE_MARGIN / align) * align;
  let tileSize: number;
  if (options.tileSize === "auto") {
    const model = memoryModel(backend);
    const choice = chooseTileSize(width, height, options.maxMemory, layers, model, margin, align);
    if (choice.tileSize === undefined) return undefined;
    if (!choice.fits) {
      const needed = estimateEvaluationBytes((choice.tileSize + 2 * margin) ** 2, layers, model);
      throw new PasticheError(
        "INVALID_OPTION",
        `maxMemory ${formatBytes(options.maxMemory)} is too small even for ${choice.tileSize} px tiles on the ${backend} backend (about ${formatBytes(needed)} needed): raise it or lower the size`,
      );
    }
    tileSize = choice.tileSize;
  } else {
    if (options.tileSize >= Math.max(width, height)) return undefined;
    tileSize = Math.max(4 * align, Math.floor(options.tileSize / align) * align);
  }
  if (options.optimizer === "lbfgs") {
    throw new PasticheError(
      "INVALID_OPTION",
      `a ${width}x${height} output is optimised in ${tileSize} px tiles, which needs the Adam optimizer (the tile grid moves every step, L-BFGS assumes a fixed objective): use adam or auto, a smaller size or a larger maxMemory`,
    );
  }
  if (hasMasks) {
    throw new PasticheError(
      "INVALID_OPTION",
      `a ${width}x${height} output is optimised in ${tileSize} px tiles, which does not support style masks yet: lower the size or raise maxMemory`,
    );
  }
  return { tileSize, margin, align };
}
