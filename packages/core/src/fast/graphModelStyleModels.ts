import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import type { ArbitraryStyleModels, GraphModelLike } from "./models.js";
import { withPaddedInput } from "./padding.js";

function single(out: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap, what: string): tf.Tensor4D {
  const t = out instanceof tf.Tensor ? out : Array.isArray(out) ? out[0] : Object.values(out)[0];
  if (!t || t.rank !== 4) {
    tf.dispose(out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : Object.values(out));
    throw new PasticheError("INVALID_WEIGHTS", `${what} graph model returned no 4-D tensor`);
  }
  return t as tf.Tensor4D;
}

/**
 * Magenta's float TF.js graph models (what `@magenta/image` loads: `predictor/model.json` and
 * `transformer/model.json`), behind the same interface as the TFLite files. The caller loads them
 * with `tf.loadGraphModel` (tfjs-converter), so core does not depend on it.
 */
export class GraphModelStyleModels implements ArbitraryStyleModels {
  constructor(
    private readonly predictor: GraphModelLike,
    private readonly transformer: GraphModelLike,
    readonly id = "tfjs-graph-model",
  ) {}

  predictStyle(style: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => single(this.predictor.predict(style), "style predictor"));
  }

  transfer(content: tf.Tensor4D, bottleneck: tf.Tensor4D): tf.Tensor4D {
    return withPaddedInput(content, (x) => tf.tidy(() => single(this.transformer.predict([x, bottleneck]), "style transfer")));
  }

  /** Dispose both graph models. */
  dispose(): void {
    this.predictor.dispose();
    this.transformer.dispose();
  }
}
