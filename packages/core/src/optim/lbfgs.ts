import * as tf from "@tensorflow/tfjs-core";
import type { Evaluation, ImageOptimizer } from "./types.js";
import { DEFAULT_LBFGS_HISTORY } from "../options/defaults.js";

/** L-BFGS's settings (see {@link LBFGS_DEFAULTS}). */
export interface LbfgsOptions {
  /** Step size; 1 is the natural scale of an L-BFGS step. */
  readonly learningRate: number;
  /** Number of (s, y) correction pairs kept (neural-style keeps 100; see {@link LBFGS_DEFAULTS}). */
  readonly historySize: number;
  /**
   * "none" (default): take the step of length `learningRate`, one evaluation per step, as
   * neural-style does. "backtracking": Armijo backtracking on the projected step, see
   * {@link LbfgsImageOptimizer}.
   */
  readonly lineSearch?: "none" | "backtracking";
  /** Most evaluations one backtracking step may spend (default 4: step lengths 1, ½, ¼, ⅛). */
  readonly maxLineSearchEvaluations?: number;
  /**
   * Largest change of any pixel (in [0,1] units) one step may make: the step is shortened to it.
   * Off by default. A fresh L-BFGS (every new stage of a coarse-to-fine run) knows no curvature yet
   * and its first steps can be far too long: so long that every pixel is clipped to 0 or 1, which
   * no line search of a few halvings recovers from.
   */
  readonly maxStep?: number;
}

/** L-BFGS defaults: step 1 and no line search as in neural-style, but {@link DEFAULT_LBFGS_HISTORY} pairs, not its 100. */
export const LBFGS_DEFAULTS: LbfgsOptions = { learningRate: 1, historySize: DEFAULT_LBFGS_HISTORY };

/** Armijo's sufficient-decrease constant (Nocedal & Wright's usual 1e-4). */
const ARMIJO_C1 = 1e-4;

/**
 * L-BFGS without line search, one objective evaluation per step, as torch.optim.LBFGS is used by
 * neural-style and neural-style-pt. The step is projected onto [0,1]; the pair stored in the
 * history is the step actually taken, so the curvature estimate stays consistent with the clipping.
 * Scalars (dot products) stay on the device: no data read-back inside a step.
 *
 * With `lineSearch: "backtracking"` the projected step x⁺ = clip(x + t·d) is accepted when
 * f(x⁺) ≤ f(x) + c₁·gᵀ(x⁺ − x), else t is halved (at most `maxLineSearchEvaluations` trials; the
 * last trial is taken if none passes). The evaluation at the accepted point is kept and serves as
 * the next step's starting evaluation, so a step whose first trial passes still costs one VGG pass.
 * When no trial passes, the last is taken if it still lowered the loss; otherwise the image goes
 * back to the step's start and the history is dropped. Each trial reads back one scalar.
 */
export class LbfgsImageOptimizer implements ImageOptimizer {
  private readonly s: tf.Tensor[] = [];
  private readonly y: tf.Tensor[] = [];
  private readonly rho: tf.Scalar[] = [];
  private prevGrad: tf.Tensor | undefined;
  private prevImage: tf.Tensor | undefined;
  private hDiag: tf.Scalar | undefined;

  constructor(private readonly options: LbfgsOptions = LBFGS_DEFAULTS) {}

  /** The accepted trial's evaluation of the last backtracking step: the next step starts from it. */
  private next: Evaluation | undefined;

  /** Evaluate at `image` and move it one L-BFGS step (with the line search, if any); returns the evaluation at the start point. */
  step(image: tf.Variable<tf.Rank.R4>, evaluate: () => Evaluation): Evaluation {
    const evaluation = this.next ?? evaluate();
    this.next = undefined;
    const g = evaluation.grad;
    if (this.prevGrad && this.prevImage) this.updateHistory(image, g);
    const start = tf.keep(image.clone());

    const direction = tf.tidy(() => (this.prevGrad ? this.twoLoopDirection(g) : tf.neg(g)));
    // First step: scale like torch (min(1, 1/‖g‖₁)·lr) since no curvature is known yet.
    let t = this.prevGrad
      ? tf.scalar(this.options.learningRate)
      : tf.tidy(() => tf.mul<tf.Scalar>(tf.minimum(1, tf.div(1, tf.add(tf.sum(tf.abs(g)), 1e-12))), this.options.learningRate));
    if (this.options.maxStep !== undefined) {
      const maxStep = this.options.maxStep;
      const capped = tf.tidy(() => tf.minimum<tf.Scalar>(t, tf.div(maxStep, tf.add(tf.max(tf.abs(direction)), 1e-12))));
      t.dispose();
      t = capped;
    }
    const moveTo = (length: tf.Scalar) => {
      tf.tidy(() => {
        image.assign(tf.clipByValue(tf.add(start, tf.mul(direction, length)), 0, 1) as tf.Tensor4D);
      });
    };
    moveTo(t);
    let restart = false;
    if (this.options.lineSearch === "backtracking") {
      const trials = Math.max(1, this.options.maxLineSearchEvaluations ?? 4);
      for (let trial = 1; ; trial++) {
        const candidate = evaluate();
        // [f(x⁺) − f(x) − c₁·gᵀ(x⁺ − x)]: ≤ 0 is sufficient decrease; one read-back per trial.
        const excess = tf.tidy(
          () => tf.sub(tf.sub(candidate.loss, evaluation.loss), tf.mul(tf.sum(tf.mul(g, tf.sub(image, start))), ARMIJO_C1)).dataSync()[0]!,
        );
        if (excess <= 0) {
          this.next = candidate;
          break;
        }
        if (trial >= trials) {
          // No trial decreased the loss enough. One that still decreased it is taken; one that
          // raised it is not: back to the start, and the curvature that predicted the step is
          // forgotten, so the next step starts afresh (steepest descent, short).
          const rose = tf.tidy(() => tf.greater(candidate.loss, evaluation.loss).dataSync()[0] === 1);
          if (!rose) {
            this.next = candidate;
            break;
          }
          tf.dispose([candidate.loss, candidate.grad]);
          image.assign(start);
          restart = true;
          break;
        }
        tf.dispose([candidate.loss, candidate.grad]);
        const half = tf.mul<tf.Scalar>(t, 0.5);
        t.dispose();
        t = half;
        moveTo(t);
      }
    }
    tf.dispose([direction, t]);
    if (restart) {
      start.dispose();
      this.forget();
    } else {
      this.prevGrad?.dispose();
      this.prevImage?.dispose();
      this.prevGrad = tf.keep(g.clone());
      this.prevImage = start;
    }
    return evaluation;
  }

  /** Drops the history and the previous point: the next step is a first step. */
  private forget(): void {
    for (const t of [...this.s, ...this.y, ...this.rho]) t.dispose();
    this.s.length = this.y.length = this.rho.length = 0;
    this.prevGrad?.dispose();
    this.prevImage?.dispose();
    this.hDiag?.dispose();
    this.prevGrad = this.prevImage = this.hDiag = undefined;
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

  /** Free the correction history. */
  dispose(): void {
    if (this.next) tf.dispose([this.next.loss, this.next.grad]);
    this.next = undefined;
    this.forget();
  }
}
