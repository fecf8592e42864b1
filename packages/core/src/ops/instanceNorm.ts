import * as tf from "@tensorflow/tfjs-core";

/**
 * Kernel name of instance normalisation over H and W of an NHWC batch of one. Backends may register
 * a one-kernel version (tfjs-node does: TensorFlow's FusedBatchNormV3 in training mode, whose batch
 * statistics for a batch of one are the instance's; see @pastiche/node's backend/kernels).
 */
export const INSTANCE_NORM = "PasticheInstanceNorm";

/** The inputs of the `PasticheInstanceNorm` kernel. */
export interface InstanceNormInputs extends tf.NamedTensorMap {
  /** [1, H, W, C]. */
  readonly x: tf.Tensor;
  /** γ and β, [C]. */
  readonly scale: tf.Tensor;
  readonly offset: tf.Tensor;
}

/** The attributes of the `PasticheInstanceNorm` kernel. */
export interface InstanceNormAttrs extends tf.NamedAttrMap {
  /** Added to the variance before the square root. */
  readonly epsilon: number;
}

/**
 * (x − mean) / √(var + ε) · γ + β, with the mean and (biased) variance of each channel over H and W.
 * `scale` and `offset` may have any shape of C elements ([C], [1,1,1,C]).
 */
export function instanceNorm(x: tf.Tensor4D, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): tf.Tensor4D {
  const channels = x.shape[3];
  if (x.shape[0] !== 1 || scale.size !== channels || offset.size !== channels) {
    throw new Error(`instanceNorm: x [${x.shape.join(",")}] needs a batch of one and γ, β of ${channels} values (got ${scale.size}, ${offset.size})`);
  }
  return tf.tidy((): tf.Tensor4D => {
    const inputs = { x, scale: tf.reshape<tf.Rank.R1>(scale, [channels]), offset: tf.reshape<tf.Rank.R1>(offset, [channels]) } satisfies InstanceNormInputs;
    if (tf.getKernel(INSTANCE_NORM, tf.getBackend()) !== undefined) {
      const attrs: InstanceNormAttrs = { epsilon };
      return tf.engine().runKernel<tf.Tensor4D>(INSTANCE_NORM, inputs, attrs);
    }
    // Elsewhere, TFLite's own formulation, x·s + (β − m·s) with s = γ/√(v + ε): on WASM it measured
    // faster than tfjs' batchNorm kernel.
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const s = tf.mul(tf.rsqrt(tf.add(variance, epsilon)), inputs.scale);
    return tf.add(tf.mul(x, s), tf.sub(inputs.offset, tf.mul(mean, s)));
  });
}
