import type { RgbImage } from "../image.js";
import type { StylizeEvent } from "./events.js";
import type { GatysInput } from "./gatys.js";
import type { GatysOptions } from "./options.js";
import type { StageInfo } from "./stage.js";
import { resizeRgbImage } from "./tensorImage.js";

/** Largest ratio between the longest sides of two consecutive stages with `scales: "auto"`. */
const AUTO_STEP = Math.SQRT2;

/**
 * Longest sides of the stages, coarse to fine, ending at `target`: `count` sizes spaced
 * geometrically from `minSize` ("auto": as few as keep each step ≤ √2). One stage when `minSize`
 * is not below the target.
 */
export function scaleSizes(target: number, minSize: number, scales: "auto" | "off" | number): number[] {
  if (scales === "off" || minSize >= target) return [target];
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
  const stages = planStages(width, height, options);
  const perStage = options.iterationsPerScale ?? options.iterations;
  const total = perStage * stages.length;
  const started = performance.now();
  let offset = 0;
  let previous: RgbImage | undefined;
  for (const stage of stages) {
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
        const remaining = stages.slice(stage.index + 1).reduce((sum, s) => sum + (perStage * s.width * s.height) / (stage.width * stage.height), perStage - event.iteration);
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
