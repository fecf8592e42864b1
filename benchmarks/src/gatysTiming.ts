import { stylizeGatys, VGG19_LAYERS, deepestLayerIndex, type GatysOptionsInput, type RgbImage, type WeightMap } from "@pastiche/core";

/** A synthetic size×size test image (timing does not depend on the picture). */
export function syntheticImage(size: number, phase: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.001 + phase) * 127 + 128) | 0;
  return { width: size, height: size, data };
}

/** Median seconds per single-scale iteration over `iterations` steps, after one warm-up step. */
export async function secondsPerIteration(
  weights: WeightMap,
  size: number,
  options: GatysOptionsInput,
  iterations: number,
  onEvent?: () => void,
): Promise<number> {
  const times: number[] = [];
  let last = 0;
  for await (const e of stylizeGatys({
    content: syntheticImage(size, 0),
    styles: [syntheticImage(size, 1)],
    weights,
    options: { ...options, size, iterations: iterations + 1, scales: "off", tileSize: "off" },
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
  let flop = 0;
  let h = height;
  let w = width;
  for (const l of VGG19_LAYERS.slice(0, deepestLayerIndex(layers) + 1)) {
    if (l.kind === "pool") {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    } else flop += 2 * 9 * l.inChannels * l.outChannels * h * w;
  }
  return (2 * flop) / 1e9;
}
