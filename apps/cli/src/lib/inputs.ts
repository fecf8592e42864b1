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

/**
 * `--mask`, repeatable and/or comma-separated, flattened to one mask per style image in order;
 * checked against the styles before anything is read.
 */
export function styleMasksFor(raw: readonly string[] | undefined, styleCount: number): string[] | undefined {
  if (raw === undefined) return undefined;
  const masks = raw.flatMap((r) => r.split(",")).map((m) => m.trim()).filter((m) => m.length > 0);
  if (masks.length !== styleCount) {
    throw new PasticheError("INVALID_OPTION", `--mask: ${masks.length} masks for ${styleCount} style images (give one per style, in order)`);
  }
  return masks;
}
