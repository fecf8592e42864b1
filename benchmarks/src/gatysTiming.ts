import { stylizeGatys, VGG19_LAYERS, deepestLayerIndex, type GatysOptionsInput, type RgbImage, type WeightMap } from "@pastiche/core";

/** A synthetic width×height test image, square by default (timing does not depend on the picture). */
export function syntheticImage(width: number, phase: number, height = width): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.001 + phase) * 127 + 128) | 0;
  return { width, height, data };
}

/** An image size for the timings: `size` px square, or width × height. */
export type BenchShape = number | { readonly width: number; readonly height: number };

/** "512" (square) or "512x384" as a {@link BenchShape}. */
export function parseBenchShape(text: string): BenchShape {
  const [width, height] = text.split("x").map(Number);
  if (!Number.isInteger(width) || (height !== undefined && !Number.isInteger(height))) throw new Error(`not an image size: "${text}" (e.g. 512 or 512x384)`);
  return height === undefined ? width! : { width: width!, height };
}

/** Width and height of a {@link BenchShape}. */
export function benchDimensions(shape: BenchShape): { width: number; height: number } {
  return typeof shape === "number" ? { width: shape, height: shape } : shape;
}

/** Median seconds per single-scale iteration over `iterations` steps, after one warm-up step. */
export async function secondsPerIteration(
  weights: WeightMap,
  shape: BenchShape,
  options: GatysOptionsInput,
  iterations: number,
  onEvent?: () => void,
): Promise<number> {
  const times: number[] = [];
  let last = 0;
  const { width, height } = benchDimensions(shape);
  for await (const e of stylizeGatys({
    content: syntheticImage(width, 0, height),
    styles: [syntheticImage(width, 1, height)],
    weights,
    options: { ...options, size: Math.max(width, height), iterations: iterations + 1, scales: "off", tileSize: "off" },
  })) {
    onEvent?.();
    if (e.type === "iteration") {
      if (e.iteration > 1) times.push((e.elapsedMs - last) / 1000);
      last = e.elapsedMs;
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * GFLOP of the convolutions of one Gatys iteration at height×width: the forward pass up to the
 * deepest of `layers` and as much again for the input gradient (2 FLOPs per multiply-add).
 */
export function gatysIterationGflop(height: number, width: number, layers: readonly string[]): number {
  const flop = vggConvShapes(height, width, layers).reduce((sum, { h, w, c, k }) => sum + 2 * 9 * c * k * h * w, 0);
  return (2 * flop) / 1e9;
}

/** One VGG19 conv at a given image size: its name, input height × width and channels C → K. */
export interface VggConvShape {
  readonly layer: string;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly k: number;
}

/** The convs of VGG19 up to the deepest of `layers` on a height×width image, with the size each sees (the pools halve it, rounding down). */
export function vggConvShapes(height: number, width: number, layers: readonly string[]): VggConvShape[] {
  const shapes: VggConvShape[] = [];
  let [h, w] = [height, width];
  for (const l of VGG19_LAYERS.slice(0, deepestLayerIndex(layers) + 1)) {
    if (l.kind === "pool") [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
    else shapes.push({ layer: l.name, h, w, c: l.inChannels, k: l.outChannels });
  }
  return shapes;
}
