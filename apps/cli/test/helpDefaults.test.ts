import { fileURLToPath } from "node:url";
/**
 * `--help` shows the schema's defaults: for every generated flag of `stylize` and `fast`, the text
 * after `[default: ` in the built CLI's help parses (with the flag's own parser) back to the
 * option's default in core's schema (or the table's product default where the schema has none).
 */
import { FastOptionsSchema, GatysOptionsSchema } from "@pastiche/core";
import { describe, expect, it } from "vitest";
import { FAST_FLAGS, GATYS_FLAGS } from "../src/lib/flagTables.js";
import { parseFlagValue, schemaDefault, type FlagSpec } from "../src/lib/optionFlags.js";
import { assertBuilt, runCli } from "./helpers.js";
import type { z } from "zod";

/** Each flag's help text, joined across oclif's wrapped lines. */
function helpByFlag(help: string): Map<string, string> {
  const byFlag = new Map<string, string>();
  let current: string | undefined;
  for (const line of help.split("\n")) {
    const m = /^\s+(?:-\w, )?--(?:\[no-\])?([\w-]+)(?:=<\w+>(?:\.\.\.)?)?\s+(.*)$/.exec(line);
    if (m) {
      current = m[1]!;
      byFlag.set(current, m[2]!);
    } else if (current && /^\s{10,}\S/.test(line)) {
      byFlag.set(current, `${byFlag.get(current)} ${line.trim()}`);
    } else current = undefined;
  }
  return byFlag;
}

async function checkDefaults(command: string, shape: Readonly<Record<string, z.ZodType>>, table: Readonly<Record<string, FlagSpec | undefined>>) {
  assertBuilt();
  const r = await runCli([command, "--help"], { env: { OCLIF_COLUMNS: "1000" } });
  expect(r.code, r.stderr).toBe(0);
  const help = helpByFlag(r.stdout);
  let compared = 0;
  for (const [key, spec] of Object.entries(table)) {
    if (!spec) continue;
    const text = help.get(spec.flag);
    expect(text, `--${spec.flag} in ${command} --help`).toBeDefined();
    const expected = schemaDefault(shape[key]!) ?? spec.productDefault;
    const shown = /\[default: ([^\]]*)\]/.exec(text!)?.[1];
    if (expected === undefined) {
      // No default value: the help says what happens instead.
      expect(shown, `--${spec.flag}`).toBe(spec.defaultText);
      continue;
    }
    expect(shown, `--${spec.flag} shows a default`).toBeDefined();
    expect(parseFlagValue(shape[key]!, spec, shown!), `--${spec.flag} [default: ${shown}]`).toEqual(expected);
    compared++;
  }
  return compared;
}

describe("--help defaults are the schema's", () => {
  it("pastiche stylize (17 defaults, plus #14's lbfgs-history, adam-beta1/beta2/epsilon, pooling and normalize-gradients, #12's lbfgs-line-search)", async () => {
    expect(await checkDefaults("stylize", GatysOptionsSchema.shape, GATYS_FLAGS)).toBe(24);
  });

  it("pastiche fast", async () => {
    expect(await checkDefaults("fast", FastOptionsSchema.shape, FAST_FLAGS)).toBe(3);
  });

  it("a flag checks its value against the schema's bounds, naming the flag", () => {
    expect(() => parseFlagValue(GatysOptionsSchema.shape.size, GATYS_FLAGS.size!, "8")).toThrow("--size: must be at least 16, got 8");
    expect(() => parseFlagValue(GatysOptionsSchema.shape.size, GATYS_FLAGS.size!, "9000")).toThrow("--size: must be at most 8192, got 9000");
    expect(parseFlagValue(GatysOptionsSchema.shape.init, GATYS_FLAGS.init!, "noise")).toEqual({ kind: "noise" });
    // A path that exists is an image start; a word that is neither a kind nor a file is refused with the kinds.
    const here = fileURLToPath(import.meta.url);
    expect(parseFlagValue(GatysOptionsSchema.shape.init, GATYS_FLAGS.init!, here)).toEqual({ kind: "image", path: here });
    expect(() => parseFlagValue(GatysOptionsSchema.shape.init, GATYS_FLAGS.init!, "nosie")).toThrow(
      /--init: expected content, noise, .* or the path of an image, got "nosie" \(no such file\)/,
    );
    expect(parseFlagValue(GatysOptionsSchema.shape.iterationsPerScale, GATYS_FLAGS.iterationsPerScale!, "30")).toBe(30);
    expect(parseFlagValue(GatysOptionsSchema.shape.tileSize, GATYS_FLAGS.tileSize!, "OFF")).toBe("off");
  });
});
