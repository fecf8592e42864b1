import * as tf from "@tensorflow/tfjs-core";
import { multiply3, symmetricPower3, transpose3, type Matrix3 } from "./matrix3.js";

export interface ColorStatistics {
  readonly mean: readonly [number, number, number];
  /** Population covariance of the RGB values (divided by the pixel count). */
  readonly covariance: Matrix3;
}

/** Mean and covariance of an [..., 3] image's pixels; reads 12 numbers back from the backend. */
export function colorStatistics(image: tf.Tensor): ColorStatistics {
  const values = tf.tidy(() => {
    const pixels = tf.reshape(image, [-1, 3]);
    const mean = tf.mean(pixels, 0, true);
    const centred = tf.sub(pixels, mean);
    // Xᵀ X through an explicit transpose (see losses/gram.ts on WASM's transposed matmuls).
    const cov = tf.div(tf.matMul(tf.transpose(centred), centred), pixels.shape[0]);
    return tf.concat([tf.reshape(mean, [3]), tf.reshape(cov, [9])]);
  });
  const v = Array.from(values.dataSync());
  values.dispose();
  return {
    mean: [v[0]!, v[1]!, v[2]!],
    covariance: [
      [v[3]!, v[4]!, v[5]!],
      [v[6]!, v[7]!, v[8]!],
      [v[9]!, v[10]!, v[11]!],
    ],
  };
}

/**
 * The affine colour map x' = A(x − μs) + μc with A = Σc^½ Σs^−½ that gives the source the
 * target's RGB mean and covariance (Gatys et al. 2017, "Controlling perceptual factors", colour
 * histogram matching; the "Cholesky" variant uses another A with the same property).
 */
export function colorMatchingMap(source: ColorStatistics, target: ColorStatistics): { matrix: Matrix3; offset: [number, number, number] } {
  // Symmetrise: float error in the covariance would otherwise skew the eigenvectors.
  const sym = (m: Matrix3): Matrix3 => [0, 1, 2].map((i) => [0, 1, 2].map((j) => (m[i]![j]! + m[j]![i]!) / 2)) as unknown as Matrix3;
  const matrix = multiply3(symmetricPower3(sym(target.covariance), 0.5), symmetricPower3(sym(source.covariance), -0.5));
  const offset = [0, 1, 2].map((i) => target.mean[i]! - (matrix[i]![0] * source.mean[0] + matrix[i]![1] * source.mean[1] + matrix[i]![2] * source.mean[2])) as [
    number,
    number,
    number,
  ];
  return { matrix, offset };
}

/**
 * The style image's pixels mapped so their RGB mean and covariance equal the content's: the style
 * is then transferred in the content's colours. [1, H, W, 3] in, same shape out, not clipped (a
 * clip would change the statistics; VGG takes values slightly outside [0, 1] fine).
 */
export function matchColorStatistics(style: tf.Tensor4D, content: tf.Tensor4D): tf.Tensor4D {
  const { matrix, offset } = colorMatchingMap(colorStatistics(style), colorStatistics(content));
  return tf.tidy(() => {
    const pixels = tf.reshape(style, [-1, 3]);
    const mapped = tf.add(tf.matMul(pixels, tf.tensor2d(transpose3(matrix).flat(), [3, 3])), tf.tensor1d(offset));
    return tf.reshape(mapped, style.shape);
  });
}
