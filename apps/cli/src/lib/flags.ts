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

/** A flag taking "auto", "off" or a whole number of at least `min` (`what` names the number in errors). */
function autoOffOrIntegerFlag(name: string, description: string, what: string, min: number) {
  return Flags.custom<"auto" | "off" | number>({
    description,
    parse: (raw: string) => {
      const word = raw.trim().toLowerCase();
      if (word === "auto" || word === "off") return Promise.resolve(word);
      const v = Number(word);
      if (word === "" || !Number.isInteger(v) || v < min) {
        throw new PasticheError("INVALID_OPTION", `--${name}: expected auto, off or ${what}, got "${raw}"`);
      }
      return Promise.resolve(v);
    },
  })();
}

/** `--scales`: "auto", "off" or a whole number of stages. */
export function scalesFlag(description: string) {
  return autoOffOrIntegerFlag("scales", description, "a whole number of stages", 1);
}

/** `--tile-size`: "auto", "off" or a tile side in pixels. */
export function tileSizeFlag(description: string) {
  return autoOffOrIntegerFlag("tile-size", description, "a whole number of pixels (at least 64)", 64);
}

const BYTE_UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, k: 2 ** 10, kb: 2 ** 10, m: 2 ** 20, mb: 2 ** 20, g: 2 ** 30, gb: 2 ** 30, t: 2 ** 40, tb: 2 ** 40 };

/** A size in bytes: `6GB`, `512m`, `1.5 GiB`, `800000000` (units are powers of 1024). */
export function parseBytes(flag: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(raw);
  const unit = m ? `${m[2] ?? ""}${m[3] ? "b" : ""}`.toLowerCase() : undefined;
  const factor = unit !== undefined ? BYTE_UNITS[unit] : undefined;
  if (!m || factor === undefined || Number(m[1]) <= 0) {
    throw new PasticheError("INVALID_OPTION", `--${flag}: expected a size such as 6GB or 512MB, got "${raw}"`);
  }
  return Math.round(Number(m[1]) * factor);
}

export function bytesFlag(name: string, description: string) {
  return Flags.custom<number>({ description, parse: (raw: string) => Promise.resolve(parseBytes(name, raw)) })();
}

/** `--iterations-per-scale`: one whole number for every stage, or a comma-separated one per stage (always a list here). */
export function iterationsPerScaleFlag(description: string) {
  return Flags.custom<number[]>({
    description,
    parse: (raw: string) => {
      const values = raw.split(",").map((part) => {
        const v = Number(part.trim());
        if (part.trim() === "" || !Number.isInteger(v) || v < 1) {
          throw new PasticheError("INVALID_OPTION", `--iterations-per-scale: expected a whole number of at least 1, or one per scale separated by commas, got "${raw}"`);
        }
        return v;
      });
      return Promise.resolve(values);
    },
  })();
}
