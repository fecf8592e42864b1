import * as tf from "@tensorflow/tfjs-core";
import { RGB_TO_YIQ } from "../../color/yiq.js";
import type { RgbImage } from "../../image/rgbImage.js";
import { rgbImageToTensor } from "../../image/tensorImage.js";

/**
 * A style mask image → [1, height, width, 1] in [0,1]: its luminance (YIQ's Y, so a grayscale image
 * is its own gray level), bilinearly resized to the output's size — stretched if its aspect ratio
 * differs — so any soft values and borders are kept.
 */
export function maskImageToTensor(image: RgbImage, width: number, height: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [r, g, b] = RGB_TO_YIQ[0];
    const gray = tf.sum<tf.Tensor4D>(tf.mul(rgbImageToTensor(image), tf.tensor1d([r, g, b])), -1, true);
    const sized = image.width === width && image.height === height ? gray : tf.image.resizeBilinear(gray, [height, width], false, true);
    return tf.clipByValue(sized, 0, 1);
  });
}
