import { PasticheError } from "../errors.js";

/**
 * VGG19's convolutional part, in order, as Keras Applications names it. Every conv is 3×3, stride
 * 1, "same" padding, followed by ReLU; every pool is 2×2 max pooling with stride 2.
 */
export type VggLayer =
  | { readonly kind: "conv"; readonly name: string; readonly inChannels: number; readonly outChannels: number }
  | { readonly kind: "pool"; readonly name: string };

const BLOCKS: readonly (readonly [convs: number, channels: number])[] = [
  [2, 64],
  [2, 128],
  [4, 256],
  [4, 512],
  [4, 512],
];

/** VGG19's feature layers in order (16 convs and 5 pools), with Keras's names and each conv's channels. */
export const VGG19_LAYERS: readonly VggLayer[] = (() => {
  const layers: VggLayer[] = [];
  let inChannels = 3;
  BLOCKS.forEach(([convs, channels], b) => {
    for (let c = 1; c <= convs; c++) {
      layers.push({ kind: "conv", name: `block${b + 1}_conv${c}`, inChannels, outChannels: channels });
      inChannels = channels;
    }
    layers.push({ kind: "pool", name: `block${b + 1}_pool` });
  });
  return layers;
})();

/** The conv layers of {@link VGG19_LAYERS}. */
export const VGG19_CONV_LAYERS = VGG19_LAYERS.filter((l) => l.kind === "conv");

const KERAS_NAME = /^block([1-5])_(conv[1-4]|pool)$/;
// The Torch/Caffe names used by neural-style and the papers: relu4_2, conv4_2, pool4.
const TORCH_NAME = /^(relu|conv)([1-5])_([1-4])$|^pool([1-5])$/;

/**
 * Resolve a layer name given in either naming scheme to the Keras name. `relu4_2` and `conv4_2`
 * both mean `block4_conv2`: the extractor's conv outputs are post-ReLU, as in Keras' VGG19.
 */
export function resolveLayerName(name: string): string {
  const trimmed = name.trim();
  let keras: string | undefined;
  if (KERAS_NAME.test(trimmed)) keras = trimmed;
  const m = TORCH_NAME.exec(trimmed);
  if (m) keras = m[4] !== undefined ? `block${m[4]}_pool` : `block${m[2]}_conv${m[3]}`;
  if (keras === undefined || !VGG19_LAYERS.some((l) => l.name === keras)) {
    throw new PasticheError(
      "UNKNOWN_LAYER",
      `unknown VGG19 layer "${name}": use Keras names (block1_conv1 … block5_conv4, block1_pool …) or relu1_1 … relu5_4`,
    );
  }
  return keras;
}

/** Index in VGG19_LAYERS of the deepest of the given (resolved) layers: the network stops there. */
export function deepestLayerIndex(names: readonly string[]): number {
  return Math.max(...names.map((n) => VGG19_LAYERS.findIndex((l) => l.name === n)));
}
