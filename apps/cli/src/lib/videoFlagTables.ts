import { FastOptionsSchema, GatysOptionsSchema, VideoOptionsSchema, type FastOptions, type GatysOptions, type VideoOptions } from "@pastiche/core";
import { FAST_FLAGS, GATYS_FLAGS } from "./flagTables.js";
import { optionFlags, type FlagTable } from "./optionFlags.js";

/** `pastiche video`'s clip and consistency flags, from core's VideoOptionsSchema. */
export const VIDEO_FLAGS: FlagTable<VideoOptions> = {
  size: { flag: "size", help: "longest side of the output frames in pixels (rounded to even sides)", defaultText: "the input's" },
  fps: { flag: "fps", help: "output frame rate", defaultText: "the input's" },
  start: { flag: "start", help: "seconds into the input where the part taken starts" },
  duration: { flag: "duration", help: "seconds of the input taken", defaultText: "to the end" },
  temporalWeight: {
    flag: "temporal-weight",
    help: "temporal consistency along the optical flow, 0: frame by frame; fast: share of the warped previous output blended in where the flow holds; gatys: weight of the temporal loss",
  },
  frameIterations: { flag: "frame-iterations", help: "gatys: iterations of each frame after the first, started from the warped previous output" },
};

/** The fast network's flags that apply to a video (its size is the video's --size). */
export const VIDEO_FAST_FLAGS: FlagTable<FastOptions> = {
  styleSize: FAST_FLAGS.styleSize!,
  strength: FAST_FLAGS.strength!,
  styleBlendWeights: FAST_FLAGS.styleBlendWeights!,
};

/** The Gatys run's flags for `--method gatys` (the first frame's run; later frames use --frame-iterations). */
export const VIDEO_GATYS_FLAGS: FlagTable<GatysOptions> = {
  iterations: { ...GATYS_FLAGS.iterations!, help: "gatys: iterations of the first frame", productDefault: 150 },
  optimizer: { ...GATYS_FLAGS.optimizer!, help: "gatys: optimiser" },
  learningRate: GATYS_FLAGS.learningRate!,
  contentWeight: GATYS_FLAGS.contentWeight!,
  styleWeight: GATYS_FLAGS.styleWeight!,
  tvWeight: GATYS_FLAGS.tvWeight!,
  seed: GATYS_FLAGS.seed!,
};

export const videoOptionFlags = {
  ...optionFlags(VideoOptionsSchema.shape, VIDEO_FLAGS),
  ...optionFlags(FastOptionsSchema.shape, VIDEO_FAST_FLAGS),
  ...optionFlags(GatysOptionsSchema.shape, VIDEO_GATYS_FLAGS),
};
