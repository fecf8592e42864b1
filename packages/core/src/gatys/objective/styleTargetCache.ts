import * as tf from "@tensorflow/tfjs-core";
import type { RgbImage } from "../../image/rgbImage.js";

/**
 * Style Gram matrices kept across the runs of a batch that share style images: each style's Grams
 * are computed once per size the runs need (a multi-scale plan needs one per stage) and reused.
 *
 * Keyed by the style image object the caller passes to `stylizeGatys` (decode each style once and
 * pass the same object to every run) and by what changes the Grams: the style size, the layers,
 * the pooling, the convolution gradient and the tiling. Runs with `preserveColors: "histogram"`
 * bypass it (their style images are recoloured to each content).
 *
 * Tensor lifetimes: the cache owns what it holds; runs borrow it (they read clones, which share the
 * data and which they dispose as their own). `dispose()` frees everything; the caller calls it when
 * the batch ends.
 */
export class StyleTargetCache {
  private readonly entries = new Map<RgbImage, Map<string, tf.Tensor2D[]>>();
  private disposed = false;
  /** How many times Grams were computed (misses) and reused (hits): for tests and reports. */
  computed = 0;
  reused = 0;

  /**
   * The Grams of `style` for `key`, computed by `compute` the first time (which must return new
   * tensors, handed over to the cache). Returns clones the caller owns (call inside `tf.tidy`).
   */
  grams(style: RgbImage, key: string, compute: () => tf.Tensor2D[]): tf.Tensor2D[] {
    if (this.disposed) throw new Error("StyleTargetCache used after dispose()");
    let byKey = this.entries.get(style);
    if (!byKey) {
      byKey = new Map();
      this.entries.set(style, byKey);
    }
    let grams = byKey.get(key);
    if (grams) {
      this.reused++;
    } else {
      grams = tf.tidy(() => compute()).map((g) => tf.keep(g));
      byKey.set(key, grams);
      this.computed++;
    }
    return grams.map((g) => tf.clone(g));
  }

  /** Tensors held (for leak tests). */
  get tensorCount(): number {
    let n = 0;
    for (const byKey of this.entries.values()) for (const grams of byKey.values()) n += grams.length;
    return n;
  }

  /** Free every cached Gram matrix; later use throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const byKey of this.entries.values()) for (const grams of byKey.values()) tf.dispose(grams);
    this.entries.clear();
  }
}
