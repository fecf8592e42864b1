import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../../image/rgbImage.js";
import type { WeightMap } from "../../model/weightMap.js";
import { ensureGatysOptions, type GatysOptions, type GatysOptionsInput } from "../../gatys/options.js";
import { StyleTargetCache } from "../../gatys/objective/styleTargetCache.js";
import { stylizeGatys } from "../../gatys/stylizeGatys.js";
import type { StylizeEvent } from "../../gatys/events.js";
import { tensorToRgbImage } from "../../image/tensorImage.js";
import { TEMPORAL_LOSS_SCALE } from "../options.js";
import type { VideoPainter, WarpedPrevious } from "../stylizeVideo.js";

/** What {@link gatysVideoPainter} paints with: VGG19 weights, the style images and the Gatys options. */
export interface GatysPainterInput {
  readonly weights: WeightMap;
  readonly styles: readonly RgbImage[];
  /** The first frame's run (its iterations, weights, init); later frames take `frameIterations` from the warped previous output. */
  readonly options?: GatysOptions | GatysOptionsInput;
  readonly frameIterations: number;
  /** Temporal loss weight in units of TEMPORAL_LOSS_SCALE; 0: each frame only initialised from the warped previous output. */
  readonly temporalWeight: number;
  /** Each frame's own events (iterations), e.g. for a progress bar inside the frame. */
  readonly onEvent?: (event: StylizeEvent) => void;
  /** Resuming: the output of the frame before the first one painted (that frame is then a later frame). */
  readonly previousOutput?: RgbImage;
}

/**
 * The optimisation method for video (Ruder et al. 2016): the first frame is a whole Gatys run;
 * each later frame starts from the previous output warped along the flow and runs a few
 * iterations of the Gatys objective plus the short-term temporal loss on the pixels where the flow
 * holds. Without flow (frame by frame) a later frame starts from the previous output as it is.
 */
export function gatysVideoPainter(input: GatysPainterInput): VideoPainter & {
  readonly styleTargets: StyleTargetCache;
  /** Free the style targets, once the clip ends. */
  dispose(): void;
} {
  const first = ensureGatysOptions(input.options ?? {});
  // The clip's style images never change: their Gram matrices are computed once, not per frame.
  const styleTargets = new StyleTargetCache();
  let previousOutput = input.previousOutput;
  const run = async (
    content: RgbImage,
    options: GatysOptions,
    initImage: RgbImage | undefined,
    previous: WarpedPrevious | undefined,
    warped?: RgbImage,
  ): Promise<RgbImage> => {
    const mask = previous && input.temporalWeight > 0 ? ((await previous.mask.data()) as Float32Array) : undefined;
    const temporal = warped && mask ? { warped, mask, weight: input.temporalWeight * TEMPORAL_LOSS_SCALE } : undefined;
    let image: RgbImage | undefined;
    for await (const event of stylizeGatys({
      content,
      styles: input.styles,
      weights: input.weights,
      styleTargets,
      options,
      ...(initImage ? { initImage } : {}),
      ...(temporal ? { temporal } : {}),
    })) {
      input.onEvent?.(event);
      if (event.type === "done") image = event.image;
    }
    return image!;
  };
  return {
    styleTargets,
    dispose: () => {
      styleTargets.dispose();
    },
    paint: async (frame, previous) => {
      if (!previousOutput) {
        previousOutput = await run(frame, first, undefined, undefined);
        return previousOutput;
      }
      const warped = previous ? await readTensor3d(previous.warped) : previousOutput;
      const later = ensureGatysOptions({
        ...first,
        iterations: input.frameIterations,
        scales: "off",
        init: { kind: "image", path: "previous frame" },
        seed: first.seed,
      });
      previousOutput = await run(frame, later, warped, previous, previous ? warped : undefined);
      return previousOutput;
    },
  };
}

async function readTensor3d(t: tf.Tensor3D): Promise<RgbImage> {
  const batched = tf.expandDims<tf.Tensor4D>(t, 0);
  try {
    return await tensorToRgbImage(batched);
  } finally {
    batched.dispose();
  }
}
