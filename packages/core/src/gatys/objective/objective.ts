import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../../image/rgbImage.js";
import { contentLoss } from "../../losses/content.js";
import { maskedStyleLoss, styleLoss } from "../../losses/style.js";
import { totalVariation } from "../../losses/totalVariation.js";
import type { Evaluation } from "../../optim/types.js";
import type { VggFeatureExtractor } from "../../vgg/extractor.js";
import type { GatysOptions } from "../options.js";
import { normalizedFeatures } from "../../losses/normalizeGradient.js";
import { compileStep } from "../../compile/compiledStep.js";
import { maskedStyleTargets, styleGramTargets, type StyleGramReuse } from "./styleTargets.js";

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
    this.set(tf.keep(tf.stack([content, style, tv, total]) as tf.Tensor1D));
  }

  /** Keep an already stacked [content, style, tv, total] (the slot owns it from here). */
  set(terms: tf.Tensor1D): void {
    this.terms?.dispose();
    this.terms = terms;
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
  /** A batch's style Gram cache and the run's style images that key it (see StyleTargetCache). */
  readonly styleReuse?: StyleGramReuse | undefined;
}

/**
 * The features the content and style losses see: as extracted, or with `normalizeGradients` each
 * loss layer's gradient normalised to L1 norm = its weight (neural-style). `scale`: a tile's share.
 */
export function lossFeatures(
  features: Readonly<Record<string, tf.Tensor4D>>,
  options: GatysOptions,
  scale = 1,
): { content: Readonly<Record<string, tf.Tensor4D>>; style: Readonly<Record<string, tf.Tensor4D>> } {
  if (!options.normalizeGradients) return { content: features, style: features };
  const { contentLayers, styleLayers, styleLayerWeights } = options;
  return {
    content: normalizedFeatures(features, contentLayers, () => (scale * options.contentWeight) / contentLayers.length),
    style: normalizedFeatures(features, styleLayers, (i) => (scale * options.styleWeight * (styleLayerWeights?.[i] ?? 1)) / styleLayers.length),
  };
}

/** The objective on the whole image at once: one VGG pass per evaluation (the reference algorithm). */
export function wholeImageObjective({ extractor, content, styles, styleMasks, options, styleReuse }: ObjectiveInput): Objective {
  const owned: tf.Tensor[] = [];
  const terms = new TermsSlot();
  try {
    const contentTargets = tf.tidy(() => {
      const features = extractor.extract(content);
      return Object.fromEntries(options.contentLayers.map((l) => [l, features[l]!]));
    });
    owned.push(...Object.values(contentTargets));
    // Without masks the blended Gram targets (the reference algorithm); with masks, each style's own.
    const styleTargets = styleMasks ? undefined : styleGramTargets(extractor, styles, content, options, undefined, styleReuse);
    if (styleTargets) owned.push(...Object.values(styleTargets));
    const masked = styleMasks ? maskedStyleTargets(extractor, styles, styleMasks, content, options, styleReuse) : undefined;
    if (masked) owned.push(...masked.flatMap((t) => [...Object.values(t.grams), ...Object.values(t.masks)]));

    // A pure function of the image (the terms are an output, not a side effect), so a backend with a
    // step compiler can run the whole evaluation as one graph.
    const step = compileStep((image) =>
      tf.tidy(() => {
        let stacked: tf.Tensor1D | undefined;
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor4D) => {
          const features = lossFeatures(extractor.extract(x), options);
          const c = tf.mul(contentLoss(features.content, contentTargets, options.contentLayers), options.contentWeight);
          const style = masked
            ? maskedStyleLoss(features.style, masked, options.styleLayers, options.styleLayerWeights)
            : styleLoss(features.style, styleTargets!, options.styleLayers, options.styleLayerWeights);
          const s = tf.mul(style, options.styleWeight);
          const v = tf.mul(totalVariation(x), options.tvWeight);
          const total = tf.addN([c, s, v]);
          stacked = tf.keep(tf.stack([c, s, v, total]) as tf.Tensor1D);
          return total as tf.Scalar;
        })(image);
        return [value, grad, stacked!];
      }),
    );
    return {
      evaluate: (image) => {
        const [loss, grad, stacked] = step(image) as [tf.Scalar, tf.Tensor4D, tf.Tensor1D];
        terms.set(stacked);
        return { loss, grad };
      },
      takeTerms: () => terms.take(),
      dispose: () => {
        step.dispose();
        tf.dispose(owned);
        terms.dispose();
      },
    };
  } catch (e) {
    tf.dispose(owned);
    throw e;
  }
}
