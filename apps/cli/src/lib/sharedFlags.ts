import { Flags } from "@oclif/core";
import { DEFAULT_NAME_TEMPLATE, NAME_PLACEHOLDERS } from "./batch.js";

/** Flags that `stylize` and `fast` share, declared once so their names and help stay the same. */
export const sharedStyleFlags = {
  output: Flags.string({
    char: "o",
    description:
      "output image (.png, .jpg, .webp or .tif), written atomically; in batch mode (--style given, or -o an existing directory or ending in /) the output directory",
    required: true,
  }),
  backend: backendFlag(),
  quiet: Flags.boolean({ char: "q", description: "no output but errors" }),
};

/** `--backend`: which tfjs backend to use; an enumerated option, so a typo is refused with the choices. */
export function backendFlag() {
  return Flags.string({ description: "tfjs backend: auto, tensorflow (tfjs-node) or wasm [env: PASTICHE_BACKEND]", options: ["auto", "tensorflow", "wasm"] });
}

/** `--depth`: 16-bit PNG/TIFF output (both commands' networks give floats). */
export const depthFlag = Flags.string({
  description: "bits per sample of the output: 16 keeps the float result finer than 8 bits (PNG and TIFF only) [default: 8]",
  options: ["8", "16"],
});

/** Batch mode's flags (`stylize` and `fast`): every positional argument is then a content. */
export const batchFlags = {
  style: Flags.string({
    char: "s",
    description:
      "batch mode: a style image, directory of images or quoted glob; repeat for several (each style its own output, no blending); every positional argument is then a content (file, directory or glob) and -o the output directory",
    multiple: true,
  }),
  name: Flags.string({
    description: `batch mode: output file name template; ${Object.entries(NAME_PLACEHOLDERS)
      .map(([k, v]) => `{${k}} ${v}`)
      .join(", ")}; the extension picks the format [default: ${DEFAULT_NAME_TEMPLATE}]`,
  }),
  force: Flags.boolean({ description: "batch mode: redo pairs whose output already exists (default: skip them, so rerunning resumes a batch)" }),
};
