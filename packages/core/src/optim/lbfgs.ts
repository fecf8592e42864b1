import * as tf from "@tensorflow/tfjs-core";
import type { Evaluation, ImageOptimizer } from "./types.js";

export interface LbfgsOptions {
  /** Step size; 1 is the natural scale of an L-BFGS step. */
  readonly learningRate: number;
  /** Number of (s, y) correction pairs kept, as neural-style's default of 100. */
  readonly historySize: number;
}

export const LBFGS_DEFAULTS: LbfgsOptions = { learningRate: 1, historySize: 100 };

/**
 * L-BFGS without line search, one objective evaluation per step, as torch.optim.LBFGS is used by
 * neural-style and neural-style-pt. The step is projected onto [0,1]; the pair stored in the
 * history is the step actually taken, so the curvature estimate stays consistent with the clipping.
 * Scalars (dot products) stay on the device: no data read-back inside a step.
 */
export class LbfgsImageOptimizer implements ImageOptimizer {
  private readonly s: tf.Tensor[] = [];
  private readonly y: tf.Tensor[] = [];
  private readonly rho: tf.Scalar[] = [];
  private prevGrad: tf.Tensor | undefined;
  private prevImage: tf.Tensor | undefined;
  private hDiag: tf.Scalar | undefined;

  constructor(private readonly options: LbfgsOptions = LBFGS_DEFAULTS) {}

  step(image: tf.Variable<tf.Rank.R4>, evaluate: () => Evaluation): Evaluation {
    const evaluation = evaluate();
    const g = evaluation.grad;
    if (this.prevGrad && this.prevImage) this.updateHistory(image, g);
    const start = tf.keep(image.clone());

    tf.tidy(() => {
      const direction = this.prevGrad ? this.twoLoopDirection(g) : tf.neg(g);
      // First step: scale like torch (min(1, 1/‖g‖₁)·lr) since no curvature is known yet.
      const t = this.prevGrad
        ? tf.scalar(this.options.learningRate)
        : tf.mul(tf.minimum(1, tf.div(1, tf.add(tf.sum(tf.abs(g)), 1e-12))), this.options.learningRate);
      image.assign(tf.clipByValue(tf.add(image, tf.mul(direction, t)), 0, 1) as tf.Tensor4D);
    });
    this.prevGrad?.dispose();
    this.prevImage?.dispose();
    this.prevGrad = tf.keep(g.clone());
    this.prevImage = start;
    return evaluation;
  }

  /** Must run before the new step: records s = x_k − x_{k−1} and y = g_k − g_{k−1}. */
  private updateHistory(image: tf.Tensor, g: tf.Tensor): void {
    const [s, y, ys, yy] = tf.tidy<[tf.Tensor, tf.Tensor, tf.Scalar, tf.Scalar]>(() => {
      const s = tf.sub(image, this.prevImage!);
      const y = tf.sub(g, this.prevGrad!);
      return [s, y, tf.sum(tf.mul(y, s)), tf.sum(tf.mul(y, y))];
    });
    // Keep the pair only if it carries positive curvature; the check needs one scalar read-back.
    if ((ys.dataSync()[0] ?? 0) > 1e-10) {
      this.s.push(s);
      this.y.push(y);
      this.rho.push(tf.tidy(() => tf.div<tf.Scalar>(1, ys)));
      this.hDiag?.dispose();
      this.hDiag = tf.tidy(() => tf.div<tf.Scalar>(ys, yy));
      if (this.s.length > this.options.historySize) {
        this.s.shift()!.dispose();
        this.y.shift()!.dispose();
        this.rho.shift()!.dispose();
      }
    } else {
      s.dispose();
      y.dispose();
    }
    ys.dispose();
    yy.dispose();
  }

  private twoLoopDirection(g: tf.Tensor): tf.Tensor {
    const n = this.s.length;
    const alpha: tf.Scalar[] = new Array<tf.Scalar>(n);
    let q: tf.Tensor = tf.neg(g);
    for (let i = n - 1; i >= 0; i--) {
      alpha[i] = tf.mul<tf.Scalar>(this.rho[i]!, tf.sum(tf.mul(this.s[i]!, q)));
      q = tf.sub(q, tf.mul(this.y[i]!, alpha[i]!));
    }
    let r = this.hDiag ? tf.mul(q, this.hDiag) : q;
    for (let i = 0; i < n; i++) {
      const beta = tf.mul(this.rho[i]!, tf.sum(tf.mul(this.y[i]!, r)));
      r = tf.add(r, tf.mul(this.s[i]!, tf.sub(alpha[i]!, beta)));
    }
    return r;
  }

  dispose(): void {
    for (const t of [...this.s, ...this.y, ...this.rho]) t.dispose();
    this.s.length = this.y.length = this.rho.length = 0;
    this.prevGrad?.dispose();
    this.prevImage?.dispose();
    this.hDiag?.dispose();
    this.prevGrad = this.prevImage = this.hDiag = undefined;
  }
}
