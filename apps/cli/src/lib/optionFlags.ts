/**
 * CLI flags generated from core's option schemas: one table per command maps an option key to its
 * flag name, parser and help; each flag's type, bounds and `[default: …]` are read from the schema,
 * so the CLI cannot drift from what core accepts (as crowsonkb's style-transfer derives its argparse
 * from the function's defaults). A flag parses its string into the option's value and checks it
 * against that option's schema, so its error names the flag; the whole options object is then
 * parsed once, by the schema, at the command.
 */
import { Flags, type Interfaces } from "@oclif/core";
import { PasticheError, formatBytes } from "@pastiche/core";
import type { z } from "zod";

/** How a flag reads its string. Most are derived from the schema; the rest are named in the table. */
export type FlagParser = (raw: string, flag: string, field: z.ZodType) => unknown;

export interface FlagSpec {
  /** Flag name without dashes, e.g. "tile-size". */
  readonly flag: string;
  readonly char?: "n" | "o" | "q";
  /** What the option does; `[default: …]` is appended from the schema. */
  readonly help: string;
  /** Default: derived from the schema's type (number, integer, enum, list, "auto"|"off"|number). */
  readonly parse?: FlagParser;
  /** How the default is shown in help (must parse back to the same value); default: derived. */
  readonly showDefault?: (value: unknown) => string;
  /** Help text for an option without a schema default, e.g. "random (printed)". */
  readonly defaultText?: string;
  /** A product default where the schema has none (e.g. fast's output size): the flag's own default. */
  readonly productDefault?: unknown;
  /** For "auto"|"off"|number options: what the number counts, for the error message. */
  readonly unit?: string;
}

export type FlagTable<Options> = { readonly [K in keyof Options]?: FlagSpec };

type AnySchema = z.ZodType & { def: { type: string } & Record<string, unknown> };

/** The option's schema without its default/optional wrapper. */
function inner(field: z.ZodType): AnySchema {
  let s = field as AnySchema;
  while (s.def.type === "default" || s.def.type === "optional" || s.def.type === "prefault") s = s.def.innerType as AnySchema;
  return s;
}

/** The schema's default for an option, if it has one. */
export function schemaDefault(field: z.ZodType): unknown {
  const s = field as AnySchema;
  return s.def.type === "default" ? s.def.defaultValue : undefined;
}

/** A value checked against the option's own schema, the first problem worded for the flag. */
export function checkFlagValue<T>(flag: string, field: z.ZodType, value: T): T {
  const result = inner(field).safeParse(value);
  if (result.success) return value;
  const issue = result.error.issues[0]! as z.core.$ZodIssue & { minimum?: number; maximum?: number; inclusive?: boolean; expected?: string };
  const got = Array.isArray(value) ? value.join(",") : String(value);
  let problem: string;
  if (issue.code === "too_small" && typeof issue.minimum === "number")
    problem = `must be ${issue.inclusive ? "at least" : "above"} ${issue.minimum}, got ${got}`;
  else if (issue.code === "too_big" && typeof issue.maximum === "number")
    problem = `must be ${issue.inclusive ? "at most" : "below"} ${issue.maximum}, got ${got}`;
  else if (issue.code === "invalid_type" && issue.expected === "int") problem = `expected a whole number, got "${got}"`;
  else problem = `${issue.message} (got "${got}")`;
  const where = issue.path.length > 0 ? ` (item ${Number(issue.path[0]) + 1})` : "";
  throw new PasticheError("INVALID_OPTION", `--${flag}${where}: ${problem}`);
}

function parseNumber(flag: string, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value)) throw new PasticheError("INVALID_OPTION", `--${flag}: expected a number, got "${raw}"`);
  return value;
}

const splitList = (raw: string): string[] =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** The parser for an option, from its schema's type. */
function derivedParser(field: z.ZodType, spec: FlagSpec): FlagParser {
  const s = inner(field);
  switch (s.def.type) {
    case "number":
      return (raw, flag) => checkFlagValue(flag, field, parseNumber(flag, raw));
    case "array": {
      const element = inner(s.def.element as z.ZodType);
      if (element.def.type === "number")
        return (raw, flag) =>
          checkFlagValue(
            flag,
            field,
            raw.split(",").map((part) => parseNumber(flag, part)),
          );
      // Layer names and the like: the schema resolves and checks them when the options are parsed.
      return (raw) => splitList(raw);
    }
    case "union": {
      const members = (s.def.options as z.ZodType[]).map(inner);
      const words = members.flatMap((m) => (m.def.type === "enum" ? (m as unknown as z.ZodEnum).options : [])).map(String);
      const number = members.find((m) => m.def.type === "number") as (AnySchema & z.ZodNumber) | undefined;
      if (number) {
        const min = number.minValue ?? 1;
        const what = `a whole number of ${spec.unit ?? "units"}${min > 1 ? ` (at least ${min})` : ""}`;
        return (raw, flag) => {
          const word = raw.trim().toLowerCase();
          if (words.includes(word)) return word;
          const v = Number(word);
          if (word === "" || !Number.isInteger(v) || v < min)
            throw new PasticheError("INVALID_OPTION", `--${flag}: expected ${words.join(", ")} or ${what}, got "${raw}"`);
          return checkFlagValue(flag, field, v);
        };
      }
      break;
    }
    case "enum":
      return (raw, flag) => checkFlagValue(flag, field, raw.trim());
    case "boolean":
      return (raw, flag) => checkFlagValue(flag, field, raw === "true");
  }
  throw new Error(`no flag parser for the ${s.def.type} option --${spec.flag}: give one in the table`);
}

/** How a default is shown in help, from its type. */
function derivedShow(value: unknown): string {
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** The text after `[default: ` in an option's help. */
export function defaultShown(field: z.ZodType, spec: FlagSpec): string | undefined {
  // A product default (the flag's own) wins over the schema's, as it does when the flag is read.
  const value = spec.productDefault ?? schemaDefault(field);
  if (value !== undefined) return (spec.showDefault ?? derivedShow)(value);
  return spec.defaultText;
}

/** Parse a flag's string as the table says (exported for the help round-trip test). */
export function parseFlagValue(field: z.ZodType, spec: FlagSpec, raw: string): unknown {
  return (spec.parse ?? derivedParser(field, spec))(raw, spec.flag, field);
}

/** oclif flags for every option in `table`, keyed by flag name. */
export function optionFlags<Options>(shape: Readonly<Record<string, z.ZodType>>, table: FlagTable<Options>) {
  const flags: Record<string, Interfaces.OptionFlag<unknown> | Interfaces.BooleanFlag<unknown>> = {};
  for (const [key, spec] of Object.entries(table) as [string, FlagSpec][]) {
    const field = shape[key];
    if (!field) throw new Error(`the flag table names ${key}, which is not an option`);
    const s = inner(field);
    const shown = defaultShown(field, spec);
    if (s.def.type === "boolean") {
      // A switch: `--flag` sets it, `--no-flag` clears one set by --from or the config file.
      flags[spec.flag] = Flags.boolean({
        description: `${spec.help}${shown !== undefined ? ` [default: ${shown === "false" ? "off" : "on"}]` : ""}`,
        allowNo: true,
      });
      continue;
    }
    const options = s.def.type === "enum" ? (s as unknown as z.ZodEnum).options.map(String) : undefined;
    const parse = spec.parse ?? derivedParser(field, spec);
    flags[spec.flag] = Flags.custom<unknown>({
      description: `${spec.help}${shown !== undefined ? ` [default: ${shown}]` : ""}`,
      ...(spec.char ? { char: spec.char } : {}),
      ...(options ? { options } : {}),
      parse: (raw: string) => Promise.resolve(parse(raw, spec.flag, field)),
    })();
  }
  return flags;
}

/**
 * The options the flags given on the command line set (flags have no oclif defaults, so "given" is
 * "defined"; the schema supplies the defaults when the options are parsed), plus product defaults.
 */
export function optionsFromFlags<Options>(flags: Readonly<Record<string, unknown>>, table: FlagTable<Options>, withProductDefaults = true): Partial<Options> {
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table) as [string, FlagSpec][]) {
    const value = flags[spec.flag] ?? (withProductDefaults ? spec.productDefault : undefined);
    if (value !== undefined) options[key] = value;
  }
  return options as Partial<Options>;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 2 ** 10,
  kb: 2 ** 10,
  m: 2 ** 20,
  mb: 2 ** 20,
  g: 2 ** 30,
  gb: 2 ** 30,
  t: 2 ** 40,
  tb: 2 ** 40,
};

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

/** Byte sizes, shown as the flag reads them: 6442450944 → "6GB" (formatBytes' units without the space). */
export const bytesParser: FlagParser = (raw, flag, field) => checkFlagValue(flag, field, parseBytes(flag, raw));
export const showBytes = (value: unknown): string =>
  formatBytes(value as number)
    .replace(/\.0 /, " ")
    .replace(" ", "");
