import { Flags } from "@oclif/core";
import { PasticheError } from "@pastiche/core";

function parseNumber(flag: string, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value)) {
    throw new PasticheError("INVALID_OPTION", `--${flag}: expected a number, got "${raw}"`);
  }
  return value;
}

/** A finite number flag; `min` is checked here so the message names the flag. */
export function numberFlag(name: string, opts: { description: string; min?: number; char?: "l" }) {
  return Flags.custom<number>({
    description: opts.description,
    parse: (raw: string) => {
      const v = parseNumber(name, raw);
      if (opts.min !== undefined && v < opts.min) {
        throw new PasticheError("INVALID_OPTION", `--${name}: must be at least ${opts.min}, got ${v}`);
      }
      return Promise.resolve(v);
    },
  })();
}

/** A whole-number flag. */
export function integerFlag(name: string, opts: { description: string; min?: number; default?: number; char?: "n" | "s" }) {
  return Flags.custom<number>({
    description: opts.description,
    ...(opts.char ? { char: opts.char } : {}),
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    parse: (raw: string) => {
      const v = parseNumber(name, raw);
      if (!Number.isInteger(v)) throw new PasticheError("INVALID_OPTION", `--${name}: expected a whole number, got "${raw}"`);
      if (opts.min !== undefined && v < opts.min) {
        throw new PasticheError("INVALID_OPTION", `--${name}: must be at least ${opts.min}, got ${v}`);
      }
      return Promise.resolve(v);
    },
  })();
}

/** A comma-separated list of strings. */
export function listFlag(description: string) {
  return Flags.custom<string[]>({
    description,
    parse: (raw: string) => Promise.resolve(raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0)),
  })();
}

/** A comma-separated list of non-negative numbers. */
export function numberListFlag(name: string, description: string) {
  return Flags.custom<number[]>({
    description,
    parse: (raw: string) =>
      Promise.resolve(
        raw.split(",").map((s) => {
          const v = parseNumber(name, s);
          if (v < 0) throw new PasticheError("INVALID_OPTION", `--${name}: weights must not be negative, got ${v}`);
          return v;
        }),
      ),
  })();
}

/** `--scales`: "auto", "off" or a whole number of stages. */
export function scalesFlag(description: string) {
  return Flags.custom<"auto" | "off" | number>({
    description,
    parse: (raw: string) => {
      const word = raw.trim().toLowerCase();
      if (word === "auto" || word === "off") return Promise.resolve(word);
      const v = Number(word);
      if (word === "" || !Number.isInteger(v) || v < 1) {
        throw new PasticheError("INVALID_OPTION", `--scales: expected auto, off or a whole number of stages, got "${raw}"`);
      }
      return Promise.resolve(v);
    },
  })();
}
