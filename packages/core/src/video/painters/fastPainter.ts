import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../../image/rgbImage.js";
import { rgbImageToTensor, tensorToRgbImage } from "../../image/tensorImage.js";
import { blendBottlenecks, interpolateBottleneck } from "../../fast/bottleneck.js";
import type { BottleneckCache } from "../../fast/bottleneckCache.js";
import type { ArbitraryStyleModels } from "../../fast/models.js";
import { ensureFastOptions, type FastOptions, type FastOptionsInput } from "../../fast/options.js";
import { defaultBottleneckCache, predictBottleneck } from "../../fast/stylizeFast.js";
import { checkStyleCounts } from "../../options/styleCounts.js";
import { temporalBlend } from "../ops/temporalBlend.js";
import type { VideoPainter, WarpedPrevious } from "../stylizeVideo.js";

/** What {@link fastVideoPainter} paints with: the Fast networks, the style images and the Fast options. */
export interface FastPainterInput {
  readonly models: ArbitraryStyleModels;
  readonly styles: readonly RgbImage[];
  /** Fast options; `size` is ignored (frames arrive at the output size). */
  readonly options?: FastOptions | FastOptionsInput;
  /** Share of the warped previous output kept where the flow holds; 0: frame by frame. */
  readonly temporalWeight: number;
  /** Content strength < 1 mixes in the first frame's own bottleneck (one bottleneck for the whole clip). */
  readonly firstFrame?: RgbImage;
  readonly cache?: BottleneckCache | null;
}

/**
 * The fast method for video: one style bottleneck for the whole clip (predicted once, so the
 * brush does not change from frame to frame), the transfer network per frame, and the previous
 * output blended in where the flow holds.
 */
export async function fastVideoPainter(input: FastPainterInput): Promise<VideoPainter & { readonly bottleneck: Float32Array }> {
  const o = ensureFastOptions(input.options ?? {});
  checkStyleCounts({ styles: input.styles.length, blendWeights: o.styleBlendWeights?.length });
  const cache = input.cache === undefined ? defaultBottleneckCache(input.models) : input.cache;
  const own: Float32Array[] = [];
  for (const style of input.styles) own.push((await predictBottleneck(input.models, style, o.styleSize, cache)).bottleneck);
  let bottleneck = blendBottlenecks(own, o.styleBlendWeights ?? input.styles.map(() => 1));
  if (o.strength < 1 && input.firstFrame) {
    const content = await predictBottleneck(input.models, input.firstFrame, o.styleSize, cache);
    bottleneck = interpolateBottleneck(bottleneck, content.bottleneck, o.strength);
  }
  const b = bottleneck;
  return {
    bottleneck: b,
    paint: async (frame: RgbImage, previous: WarpedPrevious | undefined): Promise<RgbImage> => {
      const out = tf.tidy(() => {
        const painted = input.models.transfer(rgbImageToTensor(frame), tf.tensor4d(b, [1, 1, 1, b.length]));
        if (!previous || input.temporalWeight === 0) return painted;
        return tf.expandDims<tf.Tensor4D>(temporalBlend(tf.squeeze<tf.Tensor3D>(painted, [0]), previous.warped, previous.mask, input.temporalWeight), 0);
      });
      try {
        return await tensorToRgbImage(out);
      } finally {
        out.dispose();
      }
    },
  };
}
