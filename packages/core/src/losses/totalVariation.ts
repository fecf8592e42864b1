import * as tf from "@tensorflow/tfjs-core";

/**
 * Anisotropic total variation, as `tf.image.total_variation`: the sum over the image of the absolute
 * differences between vertical and horizontal neighbours (summed over the batch).
 *
 * Its gradient uses sign(d), 0 at d = 0, like TensorFlow; tfjs's Abs gradient gives -1 at 0, which
 * would push flat regions of the image.
 */
export function totalVariation(image: tf.Tensor4D): tf.Scalar {
  const op = tf.customGrad((x, save) => {
    const saveTensors = save as tf.GradSaveFunc;
    const img = x as tf.Tensor4D;
    const [, h, w] = img.shape;
    const dy = tf.sub(tf.slice(img, [0, 1, 0, 0], [-1, h - 1, -1, -1]), tf.slice(img, [0, 0, 0, 0], [-1, h - 1, -1, -1]));
    const dx = tf.sub(tf.slice(img, [0, 0, 1, 0], [-1, -1, w - 1, -1]), tf.slice(img, [0, 0, 0, 0], [-1, -1, w - 1, -1]));
    saveTensors([dy, dx]);
    return {
      value: tf.add(tf.sum(tf.abs(dy)), tf.sum(tf.abs(dx))),
      gradFunc: (g, saved) => {
        const [sdy, sdx] = saved.map((d) => tf.sign(d)) as [tf.Tensor4D, tf.Tensor4D];
        // d/dx_i of Σ|x_{i+1} − x_i|: sign(d_{i−1}) − sign(d_i), with zero padding at the borders.
        const gy = tf.sub(
          tf.pad(sdy, [
            [0, 0],
            [1, 0],
            [0, 0],
            [0, 0],
          ]),
          tf.pad(sdy, [
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 0],
          ]),
        );
        const gx = tf.sub(
          tf.pad(sdx, [
            [0, 0],
            [0, 0],
            [1, 0],
            [0, 0],
          ]),
          tf.pad(sdx, [
            [0, 0],
            [0, 0],
            [0, 1],
            [0, 0],
          ]),
        );
        return tf.mul(tf.add(gy, gx), g);
      },
    };
  });
  return op(image) as tf.Scalar;
}
