import { Flags } from "@oclif/core";
import { PasticheError } from "@pastiche/core";

/**
 * A whole-number flag for a CLI-only setting (option flags are generated from the schema, see
 * optionFlags.ts); `min` is checked here so the message names the flag.
 */
export function integerFlag(name: string, opts: { description: string; min?: number; default?: number }) {
  return Flags.custom<number>({
    description: opts.description,
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    parse: (raw: string) => {
      const v = Number(raw.trim());
      if (raw.trim() === "" || !Number.isInteger(v)) throw new PasticheError("INVALID_OPTION", `--${name}: expected a whole number, got "${raw}"`);
      if (opts.min !== undefined && v < opts.min) {
        throw new PasticheError("INVALID_OPTION", `--${name}: must be at least ${opts.min}, got ${v}`);
      }
      return Promise.resolve(v);
    },
  })();
}
