import { Flags } from "@oclif/core";
import { numberListFlag } from "./flags.js";

/** Flags that `stylize` and `fast` share, declared once so their names and help stay the same. */
export const sharedStyleFlags = {
  output: Flags.string({ char: "o", description: "output image (.png, .jpg or .webp), written atomically", required: true }),
  "style-blend-weights": numberListFlag("style-blend-weights", "one weight per style image, e.g. 3,7 (normalised)"),
  backend: Flags.string({ description: "tfjs backend: auto, tensorflow (tfjs-node) or wasm [env: PASTICHE_BACKEND]" }),
  quiet: Flags.boolean({ char: "q", description: "no output but errors" }),
};
