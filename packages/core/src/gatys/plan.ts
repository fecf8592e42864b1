import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import type { RgbImage } from "../image/rgbImage.js";
import type { StylizeEvent } from "./events.js";
import type { GatysInput } from "./stylizeGatys.js";
import type { GatysOptions } from "./options.js";
import type { StageInfo } from "./stage.js";
import { resizeRgbImage } from "../image/tensorImage.js";
import { resolveTiling } from "./tiling/resolveTiling.js";

/** Largest ratio between the longest sides of two consecutive stages with `scales: "auto"`. */
const AUTO_STEP = Math.SQRT2;

/**
 * Longest sides of the stages, coarse to fine, ending at `target`: `count` sizes spaced
 * geometrically from `minSize` ("auto": as few as keep each step ≤ √2). One stage when `minSize`
 * is not below the target.
 */
export function scaleSizes(target: number, minSize: number, scales: "auto" | "off" | number): number[] {
  // "auto" only pays off once there is room for at least two growth steps below the target.
  if (scales === "off" || minSize >= target || (scales === "auto" && target <= 2 * minSize)) return [target];
  const count = scales === "auto" ? Math.ceil(Math.log(target / minSize) / Math.log(AUTO_STEP) - 1e-9) + 1 : scales;
  if (count <= 1) return [target];
  const ratio = (target / minSize) ** (1 / (count - 1));
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? target : Math.round(minSize * ratio ** i)));
}

/** Width and height with the longest side `longest`, keeping the aspect ratio (as the adapters do). */
export function fitLongestSide(width: number, height: number, longest: number): { width: number; height: number } {
  const scale = longest / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The stages of a run whose output (the content image) is `width`×`height`. */
export function planStages(width: number, height: number, options: Pick<GatysOptions, "minSize" | "scales">): StageInfo[] {
  const sizes = scaleSizes(Math.max(width, height), options.minSize, options.scales);
  return sizes.map((longest, index) => ({ index, count: sizes.length, ...fitLongestSide(width, height, longest) }));
}

/**
 * The stages of a run with the tile size of each tiled one. Tiling is settled up front so that what
 * it can't do (L-BFGS, masks, a budget too small) — or a per-stage iteration list of the wrong
 * length — is refused before any work: adapters call this
 * right after decoding the inputs, before loading the weights.
 */
export function planRun(width: number, height: number, options: GatysOptions, backend: string, hasMasks: boolean): StageInfo[] {
  const stages = planStages(width, height, options).map((stage) => {
    const tiling = resolveTiling(stage.width, stage.height, options, backend, hasMasks);
    return tiling ? { ...stage, tileSize: tiling.tileSize } : stage;
  });
  stageIterations(stages, options); // a per-stage list of the wrong length is refused here too
  return stages;
}

/** Share of a multi-scale run's budget spent at the full size: the fine strokes need the most steps. */
const TOP_STAGE_SHARE = 2 / 3;

/**
 * Iterations per stage. With `iterationsPerScale`, that many at every stage (or the list given, one
 * per stage). Otherwise `iterations`
 * is the run's budget in full-size iterations, so a multi-scale run costs about what a single-scale
 * one of the same `iterations` costs: two thirds of it at the full size, the rest over the coarser
 * stages (each iteration costing its share of the pixels), in proportion to their side.
 */
export function stageIterations(stages: readonly StageInfo[], options: Pick<GatysOptions, "iterations" | "iterationsPerScale">): number[] {
  const given = options.iterationsPerScale;
  if (Array.isArray(given)) {
    if (given.length !== stages.length) {
      const sizes = stages.map((s) => Math.max(s.width, s.height)).join(", ");
      throw new PasticheError("INVALID_OPTION", `${given.length} iterations per scale for ${stages.length} scales (${sizes} px): give one number, or one per scale`);
    }
    return [...given];
  }
  if (given !== undefined) return stages.map(() => given);
  if (stages.length === 1) return [options.iterations];
  const top = stages.at(-1)!;
  const topIterations = Math.max(1, Math.round(options.iterations * TOP_STAGE_SHARE));
  // Coarse stages get iterations in proportion to their side: each stage's detail is mostly redone
  // by the next, so the larger ones, nearest the output, earn more steps; the smallest only lay out
  // the big structures (measured at 512 px: better than equal counts, or more steps at the small end).
  const sideOf = (s: StageInfo) => Math.max(s.width, s.height);
  const coarse = stages.slice(0, -1);
  const costPerUnit = coarse.reduce((sum, s) => sum + (sideOf(s) * s.width * s.height) / (top.width * top.height), 0);
  const unit = (options.iterations - topIterations) / costPerUnit;
  return stages.map((s, i) => (i === stages.length - 1 ? topIterations : Math.max(1, Math.round(unit * sideOf(s)))));
}

export type StageRunner = (input: GatysInput, options: GatysOptions) => AsyncGenerator<StylizeEvent, void, undefined>;

/**
 * Coarse-to-fine Gatys: one single-scale run per stage, the content and styles resized in core by
 * the stage's factor (so the style keeps its scale relative to the output), style masks to the
 * stage's size, each stage starting
 * from the previous result upsampled. Re-emits the stages' events as one run: one "start" with the
 * full size and every stage, iterations numbered across stages and tagged with their stage, and one
 * "done" with the full-size image (upsampled if the run was aborted in an earlier stage).
 */
export async function* stylizeMultiScale(
  input: GatysInput,
  options: GatysOptions,
  seed: number,
  runStage: StageRunner,
): AsyncGenerator<StylizeEvent, void, undefined> {
  const { width, height } = input.content;
  const stages = planRun(width, height, options, tf.getBackend(), input.styleMasks !== undefined);
  const iterations = stageIterations(stages, options);
  const total = iterations.reduce((a, b) => a + b, 0);
  const started = performance.now();
  let offset = 0;
  let previous: RgbImage | undefined;
  for (const stage of stages) {
    const perStage = iterations[stage.index]!;
    const factor = stage.width / width;
    const content = await resizeRgbImage(input.content, stage.width, stage.height);
    const styles = await Promise.all(
      input.styles.map((s) => {
        const size = fitLongestSide(s.width, s.height, Math.max(s.width, s.height) * factor);
        return resizeRgbImage(s, size.width, size.height);
      }),
    );
    // Masks follow the content (their own aspect ratio is ignored), so they are resized to the stage.
    const styleMasks = input.styleMasks
      ? await Promise.all(input.styleMasks.map((m) => resizeRgbImage(m, stage.width, stage.height)))
      : undefined;
    const stageOptions: GatysOptions = {
      ...options,
      iterations: perStage,
      scales: "off",
      seed,
      ...(previous ? { init: "image" as const } : {}),
    };
    const initImage = previous ?? input.initImage;
    let stageStarted = 0;
    for await (const event of runStage({ ...input, content, styles, ...(styleMasks ? { styleMasks } : {}), ...(initImage ? { initImage } : {}) }, stageOptions)) {
      const elapsedMs = performance.now() - started;
      if (event.type === "start") {
        stageStarted = elapsedMs;
        if (stage.index === 0) yield { ...event, width, height, iterations: total, stages };
      } else if (event.type === "iteration") {
        // Later stages cost more per iteration, roughly in proportion to their pixels.
        const perIteration = (elapsedMs - stageStarted) / event.iteration;
        const remaining = stages.slice(stage.index + 1).reduce((sum, s) => sum + (iterations[s.index]! * s.width * s.height) / (stage.width * stage.height), perStage - event.iteration);
        yield { ...event, iteration: offset + event.iteration, iterations: total, elapsedMs, etaMs: perIteration * remaining, stage };
      } else {
        const last = stage.index === stages.length - 1;
        if (last || event.aborted) {
          yield { ...event, image: await resizeRgbImage(event.image, width, height), iterations: offset + event.iterations, elapsedMs, aborted: !last || event.aborted };
          return;
        }
        previous = event.image;
      }
    }
    offset += perStage;
  }
}
