import * as tf from "@tensorflow/tfjs-core";

/**
 * Backward warping with bilinear sampling: out(x) = image(x + flow(x)), for `image` [H, W, C] and
 * `flow` [H, W, 2] holding (dx, dy). Samples outside the image are clamped to its border (the
 * occlusion mask marks those pixels unreliable). Built from gather, so it runs on every backend.
 */
export function warpByFlow(image: tf.Tensor3D, flow: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [h, w, c] = image.shape;
    const [dx, dy] = tf.split(flow, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
    const gx = tf.reshape(tf.range(0, w, 1, "float32"), [1, w, 1]);
    const gy = tf.reshape(tf.range(0, h, 1, "float32"), [h, 1, 1]);
    const x = tf.clipByValue(tf.add(gx, dx), 0, w - 1);
    const y = tf.clipByValue(tf.add(gy, dy), 0, h - 1);
    const x0 = tf.floor(x);
    const y0 = tf.floor(y);
    const x1 = tf.minimum(tf.add(x0, 1), w - 1);
    const y1 = tf.minimum(tf.add(y0, 1), h - 1);
    const ax = tf.sub(x, x0);
    const ay = tf.sub(y, y0);
    const flat = tf.reshape(image, [h * w, c]);
    const at = (yy: tf.Tensor, xx: tf.Tensor): tf.Tensor3D =>
      tf.reshape(tf.gather(flat, tf.reshape(tf.cast(tf.add(tf.mul(yy, w), xx), "int32"), [h * w])), [h, w, c]);
    const top = tf.add(tf.mul(at(y0, x0), tf.sub(1, ax)), tf.mul(at(y0, x1), ax));
    const bottom = tf.add(tf.mul(at(y1, x0), tf.sub(1, ax)), tf.mul(at(y1, x1), ax));
    return tf.add<tf.Tensor3D>(tf.mul(top, tf.sub(1, ay)), tf.mul(bottom, ay));
  });
}
