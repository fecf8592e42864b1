import { PasticheError } from "../errors.js";
import { VGG19_CONV_LAYERS } from "./layers.js";
import type { WeightMap } from "../model/weightMap.js";

/**
 * The weights VGG19's convolutional part needs, as Keras Applications names them: for each of the
 * 16 conv layers (block1_conv1 [3→64] … block5_conv4 [512→512]) a kernel [3,3,in,out] (HWIO) and a
 * bias [out]. The layer list itself is `VGG19_CONV_LAYERS` in `vgg/layers.ts`.
 */
export interface Vgg19ConvWeightSpec {
  readonly layer: string;
  readonly kernel: readonly [3, 3, number, number];
  readonly bias: readonly [number];
}

export const VGG19_CONV_WEIGHT_SPECS: readonly Vgg19ConvWeightSpec[] = VGG19_CONV_LAYERS.map((l) => ({
  layer: l.name,
  kernel: [3, 3, l.inChannels, l.outChannels] as const,
  bias: [l.outChannels] as const,
}));

/** The names of VGG19's 16 conv layers, `block1_conv1` … `block5_conv4`, as the weights name them. */
export const VGG19_CONV_LAYER_NAMES: readonly string[] = VGG19_CONV_WEIGHT_SPECS.map((s) => s.layer);

const shapeText = (shape: readonly number[]): string => `[${shape.join(",")}]`;

/**
 * Check that `weights` holds a float32 kernel and bias of exactly the right shape for each of the
 * given conv layers (default: all 16). Throws INVALID_WEIGHTS naming the first bad weight, with the
 * expected and actual shape (and how many other problems there are); UNKNOWN_LAYER for a name in
 * `layers` that is not a VGG19 conv layer.
 */
export function validateVgg19Weights(weights: WeightMap, layers: readonly string[] = VGG19_CONV_LAYER_NAMES): void {
  const problems: string[] = [];
  for (const layer of layers) {
    const spec = VGG19_CONV_WEIGHT_SPECS.find((s) => s.layer === layer);
    if (!spec) {
      throw new PasticheError("UNKNOWN_LAYER", `"${layer}" is not a VGG19 conv layer (expected one of block1_conv1 … block5_conv4)`);
    }
    for (const [what, expected] of [
      ["kernel", spec.kernel],
      ["bias", spec.bias],
    ] as const) {
      const name = `${layer}/${what}`;
      const t = weights[name];
      if (!t) {
        problems.push(`${layer}: ${what} ${name} is missing, expected shape ${shapeText(expected)}`);
      } else if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
        problems.push(`${layer}: ${what} has shape ${shapeText(t.shape)}, expected ${shapeText(expected)}`);
      } else if (t.dtype !== "float32") {
        problems.push(`${layer}: ${what} has dtype ${t.dtype}, expected float32`);
      }
    }
  }
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
    throw new PasticheError("INVALID_WEIGHTS", `VGG19 weights do not fit: ${problems[0]}${more}`);
  }
}
