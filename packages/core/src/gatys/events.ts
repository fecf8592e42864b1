import type { RgbImage, RgbImage16 } from "../image/rgbImage.js";
import type { RunPlan } from "./plan.js";
import type { StageInfo } from "./stage.js";

/** Loss terms as optimised: each already multiplied by its weight; `total` is their sum. */
export interface LossTerms {
  readonly content: number;
  readonly style: number;
  readonly tv: number;
  readonly total: number;
  /** Video frames (Ruder et al.): the weighted short-term temporal loss, included in `total`. */
  readonly temporal?: number;
}

/** A stage's own start, before the run adds its plan. */
export interface StageStartEvent {
  readonly type: "start";
  readonly width: number;
  readonly height: number;
  readonly iterations: number;
  readonly seed: number;
  readonly backend: string;
  /** Multi-scale runs: every stage, coarse to fine (`iterations` is then their total). */
  readonly stages?: readonly StageInfo[];
  /** Set when the output is optimised in tiles of this side (too large for one VGG pass). */
  readonly tileSize?: number;
}

/**
 * What {@link stylizeGatys} yields: "start" (with the plan), then per scale stage "stage" and per
 * iteration "iteration" (the losses), and "done" with the result.
 */
export type StylizeEvent =
  | (StageStartEvent & {
      /** What the run will do, decided before it started: stages, iterations, optimiser, tiling. */
      readonly plan: RunPlan;
    })
  | {
      readonly type: "iteration";
      readonly iteration: number;
      readonly iterations: number;
      /** VGG evaluations (forward + gradient) so far in this stage: the run's cost, which a line search makes more than one per iteration. */
      readonly evaluations: number;
      readonly losses: LossTerms;
      readonly elapsedMs: number;
      /** Estimated time left, from the mean time of the iterations after the first (warm-up). */
      readonly etaMs: number;
      readonly preview?: RgbImage;
      /** Multi-scale runs: the stage this iteration belongs to (`iteration` counts across stages). */
      readonly stage?: StageInfo;
    }
  | {
      /** A multi-scale stage before the last has finished (only with `stageResults`): its result, at its size. */
      readonly type: "stage";
      readonly stage: StageInfo;
      readonly image: RgbImage;
      /** Iterations run so far, across stages. */
      readonly iterations: number;
      readonly elapsedMs: number;
    }
  | {
      readonly type: "done";
      readonly image: RgbImage;
      /** The same result with 16-bit samples (only with `highDepth`). */
      readonly image16?: RgbImage16;
      /** Iterations actually run: fewer than asked when the run was aborted. */
      readonly iterations: number;
      readonly losses: LossTerms | undefined;
      readonly elapsedMs: number;
      readonly aborted: boolean;
    };
