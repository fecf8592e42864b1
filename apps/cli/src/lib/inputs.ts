import { PasticheError } from "@pastiche/core";

/**
 * The positional arguments of `stylize` and `fast`: CONTENT STYLE..., checked against the blend
 * weights before anything is read.
 */
export function contentAndStyles(argv: readonly unknown[], blendWeights: readonly number[] | undefined): { content: string; styles: string[] } {
  const [content, ...styles] = argv.map(String);
  if (!content || styles.length === 0) {
    throw new PasticheError("INVALID_OPTION", "give a content image and at least one style image");
  }
  if (blendWeights && blendWeights.length !== styles.length) {
    throw new PasticheError("INVALID_OPTION", `--style-blend-weights: ${blendWeights.length} weights for ${styles.length} style images`);
  }
  return { content, styles };
}
