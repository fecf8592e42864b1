import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../../image/rgbImage.js";
import { contentLoss } from "../../losses/content.js";
import { maskedStyleLoss, styleLoss } from "../../losses/style.js";
import { totalVariation } from "../../losses/totalVariation.js";
import type { Evaluation } from "../../optim/types.js";
import type { VggFeatureExtractor } from "../../vgg/extractor.js";
import type { GatysOptions } from "../options.js";
import { maskedStyleTargets, styleGramTargets } from "./styleTargets.js";

/**
 * The Gatys objective, weighted content + style + total variation, at one image size. Holds its
 * targets; `evaluate` gives the loss and gradient, and the weighted terms of that same evaluation
 * wait in `takeTerms()` for the one read-back per iteration.
 */
export interface Objective {
  evaluate(image: tf.Tensor4D): Evaluation;
  /** [content, style, tv, total] of the last evaluation, each weighted; the caller disposes it. */
  takeTerms(): tf.Tensor1D;
  dispose(): void;
}

/**
 * Where an objective leaves the weighted terms of its last evaluation until the run loop reads them
 * back: `put` (inside the evaluation's tidy) keeps them, `take` hands them over, `dispose` frees an
 * unread set.
 */
export class TermsSlot {
  private terms: tf.Tensor1D | undefined;

  put(content: tf.Tensor, style: tf.Tensor, tv: tf.Tensor, total: tf.Tensor): void {
    this.terms?.dispose();
    this.terms = tf.keep(tf.stack([content, style, tv, total]) as tf.Tensor1D);
  }

  take(): tf.Tensor1D {
    const t = this.terms;
    if (!t) throw new Error("takeTerms() before evaluate()");
    this.terms = undefined;
    return t;
  }

  dispose(): void {
    this.terms?.dispose();
    this.terms = undefined;
  }
}

export interface ObjectiveInput {
  readonly extractor: VggFeatureExtractor;
  readonly content: tf.Tensor4D;
  readonly styles: readonly RgbImage[];
  readonly styleMasks?: readonly RgbImage[] | undefined;
  readonly options: GatysOptions;
}

/** The objective on the whole image at once: one VGG pass per evaluation (the reference algorithm). */
export function wholeImageObjective({ extractor, content, styles, styleMasks, options }: ObjectiveInput): Objective {
  const owned: tf.Tensor[] = [];
  const terms = new TermsSlot();
  try {
    const contentTargets = tf.tidy(() => {
      const features = extractor.extract(content);
      return Object.fromEntries(options.contentLayers.map((l) => [l, features[l]!]));
    });
    owned.push(...Object.values(contentTargets));
    // Without masks the blended Gram targets (the reference algorithm); with masks, each style's own.
    const styleTargets = styleMasks ? undefined : styleGramTargets(extractor, styles, content, options);
    if (styleTargets) owned.push(...Object.values(styleTargets));
    const masked = styleMasks ? maskedStyleTargets(extractor, styles, styleMasks, content, options) : undefined;
    if (masked) owned.push(...masked.flatMap((t) => [...Object.values(t.grams), ...Object.values(t.masks)]));

    return {
      evaluate: (image) =>
        tf.tidy(() => {
          const { value, grad } = tf.valueAndGrad((x: tf.Tensor4D) => {
            const features = extractor.extract(x);
            const c = tf.mul(contentLoss(features, contentTargets, options.contentLayers), options.contentWeight);
            const style = masked
              ? maskedStyleLoss(features, masked, options.styleLayers, options.styleLayerWeights)
              : styleLoss(features, styleTargets!, options.styleLayers, options.styleLayerWeights);
            const s = tf.mul(style, options.styleWeight);
            const v = tf.mul(totalVariation(x), options.tvWeight);
            const total = tf.addN([c, s, v]);
            terms.put(c, s, v, total);
            return total as tf.Scalar;
          })(image);
          return { loss: value, grad };
        }),
      takeTerms: () => terms.take(),
      dispose: () => {
        tf.dispose(owned);
        terms.dispose();
      },
    };
  } catch (e) {
    tf.dispose(owned);
    throw e;
  }
}
