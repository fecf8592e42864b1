import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../../image/rgbImage.js";
import { rgbImageToTensor } from "../../image/tensorImage.js";
import { temporalLoss } from "../../video/ops/temporalLoss.js";
import type { Objective } from "./objective.js";

/**
 * What a video frame's Gatys run is held to (Ruder et al. 2016): the previous output warped into
 * this frame, where the flow holds (`mask`, one value 0–1 per pixel, row-major), with `weight`
 * times the short-term temporal loss added to the objective.
 */
export interface TemporalTarget {
  readonly warped: RgbImage;
  readonly mask: Float32Array;
  readonly weight: number;
}

/**
 * `base` plus the weighted temporal loss, at the stage's size (the target is resized to it). Its
 * terms are the base's [content, style, tv, total] with the temporal term added to the total and
 * appended as a fifth value. Owns the target's tensors and the base objective.
 */
export function temporalObjective(base: Objective, target: TemporalTarget, width: number, height: number): Objective {
  const { warped, mask } = tf.tidy(() => {
    const w = rgbImageToTensor(target.warped);
    const m = tf.tensor4d(target.mask, [1, target.warped.height, target.warped.width, 1]);
    const same = w.shape[1] === height && w.shape[2] === width;
    return {
      warped: same ? w : tf.image.resizeBilinear(w, [height, width], true),
      mask: same ? m : tf.image.resizeBilinear(m, [height, width], true),
    };
  });
  let last: tf.Scalar | undefined;
  const lossOf = (x: tf.Tensor4D): tf.Scalar => tf.mul(temporalLoss(x, warped, mask), target.weight);
  return {
    evaluate: (image) => {
      const own = base.evaluate(image);
      const added = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad(lossOf)(image);
        return { loss: tf.add<tf.Scalar>(own.loss, value), grad: tf.add<tf.Tensor4D>(own.grad, grad), value };
      });
      tf.dispose([own.loss, own.grad]);
      last?.dispose();
      last = added.value;
      return { loss: added.loss, grad: added.grad };
    },
    takeTerms: () => {
      const terms = base.takeTerms();
      const t = last ?? tf.scalar(0);
      const out = tf.tidy(() => {
        const [c, s, v, total] = tf.unstack(terms);
        return tf.stack([c!, s!, v!, tf.add(total!, t), t]) as tf.Tensor1D;
      });
      terms.dispose();
      if (!last) t.dispose();
      return out;
    },
    dispose: () => {
      base.dispose();
      tf.dispose([warped, mask]);
      last?.dispose();
    },
  };
}
