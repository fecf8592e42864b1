import { PasticheError, checkStyleCounts, type GatysInit } from "@pastiche/core";
import type { RunInputFile } from "@pastiche/node";

/** The positional arguments of `stylize` and `fast`: CONTENT STYLE... */
export function contentAndStyles(argv: readonly unknown[]): { content: string; styles: string[] } {
  const [content, ...styles] = argv.map(String);
  if (!content || styles.length === 0) {
    throw new PasticheError("INVALID_OPTION", "give a content image and at least one style image");
  }
  return { content, styles };
}

/** `--mask`, repeatable and/or comma-separated, flattened to one mask per style image in order. */
export function styleMasksFor(raw: readonly string[]): string[] {
  return raw
    .flatMap((r) => r.split(","))
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
}

/** Core's one count check, its message naming the flags; before anything is read. */
export function checkCounts(styles: number, blendWeights: number | undefined, masks?: number): void {
  checkStyleCounts({ styles, blendWeights, masks }, { blendWeights: "--style-blend-weights", masks: "--mask" });
}

/** Every file a run reads, named by its role: the output must be none of them. */
export function runInputFiles(content: string, styles: readonly string[], styleMasks?: readonly string[], init?: GatysInit): RunInputFile[] {
  const n = (i: number, list: readonly unknown[]) => (list.length > 1 ? ` ${i + 1}` : "");
  return [
    { path: content, role: "content image" },
    ...styles.map((path, i) => ({ path, role: `style image${n(i, styles)}` })),
    ...(styleMasks ?? []).map((path, i) => ({ path, role: `style mask${n(i, styleMasks!)}` })),
    ...(init?.kind === "image" ? [{ path: init.path, role: "starting image" }] : []),
  ];
}
