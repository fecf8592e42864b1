import * as tf from "@tensorflow/tfjs-core";

/**
 * Kernel name of overlapping image patches ("valid", square): TensorFlow's ExtractImagePatches.
 * tfjs has no such op; backends may register one (tfjs-node does, see @pastiche/node's
 * backend/kernels), elsewhere a composite of strided slices runs.
 */
export const IMAGE_PATCHES = "PasticheImagePatches";

/** The inputs of the {@link IMAGE_PATCHES} kernel. */
export interface ImagePatchesInputs extends tf.NamedTensorMap {
  /** [N, H, W, C]. */
  readonly x: tf.Tensor;
}

/** The attributes of the {@link IMAGE_PATCHES} kernel. */
export interface ImagePatchesAttrs extends tf.NamedAttrMap {
  /** Patch side in pixels. */
  readonly size: number;
  /** Pixels between the starts of neighbouring patches. */
  readonly stride: number;
}

/**
 * The size×size patches of `x` every `stride` pixels, [N, ⌊(H−size)/stride⌋+1, ⌊(W−size)/stride⌋+1,
 * size²·C], each patch's pixel (a, b) at channels (a·size + b)·C … + C − 1, as TensorFlow lays them out.
 */
export function imagePatches(x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  if (tf.getKernel(IMAGE_PATCHES, tf.getBackend()) !== undefined) {
    const inputs: ImagePatchesInputs = { x };
    const attrs: ImagePatchesAttrs = { size, stride };
    return tf.engine().runKernel<tf.Tensor4D>(IMAGE_PATCHES, inputs, attrs);
  }
  const [n, h, w, c] = x.shape;
  const [oh, ow] = [Math.floor((h - size) / stride) + 1, Math.floor((w - size) / stride) + 1];
  return tf.tidy(() => {
    const pixels: tf.Tensor4D[] = [];
    for (let a = 0; a < size; a++) {
      for (let b = 0; b < size; b++) {
        pixels.push(tf.stridedSlice(x, [0, a, b, 0], [n, a + stride * (oh - 1) + 1, b + stride * (ow - 1) + 1, c], [1, stride, stride, 1]) as tf.Tensor4D);
      }
    }
    return tf.concat(pixels, 3);
  });
}
