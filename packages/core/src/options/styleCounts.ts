import { PasticheError } from "../errors.js";
import { MAX_STYLE_IMAGES } from "./defaults.js";

/** How many of each per-style input a run was given: blend weights and masks come one per style image. */
export interface StyleCounts {
  readonly styles: number;
  readonly blendWeights?: number | undefined;
  readonly masks?: number | undefined;
}

/** How the problem names the per-style lists, e.g. the CLI's `--mask` (default: no prefix). */
export interface StyleCountNames {
  readonly blendWeights?: string;
  readonly masks?: string;
}

/**
 * The one check that the per-style lists match the style images, for the CLI, the web app and core
 * alike: undefined when they do, else a one-line message.
 */
export function styleCountProblem(counts: StyleCounts, names: StyleCountNames = {}): string | undefined {
  const prefix = (name: string | undefined) => (name ? `${name}: ` : "");
  if (counts.styles < 1) return "at least one style image is required";
  if (counts.styles > MAX_STYLE_IMAGES) return `${counts.styles} style images: at most ${MAX_STYLE_IMAGES} can be blended in one run`;
  if (counts.blendWeights !== undefined && counts.blendWeights !== counts.styles) {
    return `${prefix(names.blendWeights)}${counts.blendWeights} style blend weights for ${counts.styles} style images (give one per style, in order)`;
  }
  if (counts.masks !== undefined && counts.masks !== counts.styles) {
    return `${prefix(names.masks)}${counts.masks} style masks for ${counts.styles} style images (give one per style, in order)`;
  }
  return undefined;
}

/** {@link styleCountProblem} as an INVALID_OPTION error. */
export function checkStyleCounts(counts: StyleCounts, names?: StyleCountNames): void {
  const problem = styleCountProblem(counts, names);
  if (problem !== undefined) throw new PasticheError("INVALID_OPTION", problem);
}
