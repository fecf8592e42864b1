import { Flags } from "@oclif/core";

/** Flags that `stylize` and `fast` share, declared once so their names and help stay the same. */
export const sharedStyleFlags = {
  output: Flags.string({ char: "o", description: "output image (.png, .jpg or .webp), written atomically", required: true }),
  backend: backendFlag(),
  quiet: Flags.boolean({ char: "q", description: "no output but errors" }),
};

/** `--backend`: which tfjs backend to use; an enumerated option, so a typo is refused with the choices. */
export function backendFlag() {
  return Flags.string({ description: "tfjs backend: auto, tensorflow (tfjs-node) or wasm [env: PASTICHE_BACKEND]", options: ["auto", "tensorflow", "wasm"] });
}
