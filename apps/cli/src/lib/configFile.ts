/**
 * Default flags from a config file: `--config PATH`, else `<configDir>/config.json` (oclif's
 * configDir: `~/.config/pastiche`, or `$XDG_CONFIG_HOME/pastiche`). Precedence: flags on the command
 * line > environment variables (PASTICHE_BACKEND) > the config file > built-in defaults. The file
 * holds flag names without dashes, for every command and per command:
 *
 *   { "defaults": { "backend": "wasm" }, "stylize": { "size": 768, "optimizer": "lbfgs" }, "fast": { "size": 1024 } }
 *
 * Values are injected as command-line flags the user did not give, so they are parsed and checked
 * exactly as typed ones (an error about one of them also names the file).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "@oclif/core";
import { PasticheError } from "@pastiche/core";
import { z } from "zod";

export const CONFIG_FILE_NAME = "config.json";

/** Flags a config file may not set: they name one run's files. */
const PER_RUN_FLAGS = new Set(["output", "from", "mask", "config", "json", "init", "style"]);

/** Flags whose environment variable wins over the config file. */
const FLAG_ENV: Readonly<Record<string, string>> = { backend: "PASTICHE_BACKEND" };

const ValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);
const ConfigSchema = z.record(z.string(), z.record(z.string(), ValueSchema));
type FlagValue = z.output<typeof ValueSchema>;

/** `--config PATH` / `--config=PATH` in argv, if given. */
export function configPathFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return undefined;
    if (a === "--config") return argv[i + 1];
    if (a.startsWith("--config=")) return a.slice("--config=".length);
  }
  return undefined;
}

/** Whether argv already sets `flag` (long form, `--flag=…`, its `--no-` form, or its char). */
function given(argv: readonly string[], flag: string, char: string | undefined): boolean {
  return argv.some(
    (a) => a === `--${flag}` || a.startsWith(`--${flag}=`) || a === `--no-${flag}` || (char !== undefined && (a === `-${char}` || a.startsWith(`-${char}=`))),
  );
}

async function readConfig(file: string, explicit: boolean): Promise<z.output<typeof ConfigSchema> | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if (!explicit && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PasticheError(
      explicit ? "FILE_NOT_FOUND" : "INVALID_OPTION",
      `config file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PasticheError("INVALID_OPTION", `config file ${file} is not JSON`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PasticheError("INVALID_OPTION", `config file ${file}: expected { "defaults": { flag: value }, "<command>": { flag: value } }`);
  }
  return parsed.data;
}

function asArgs(flag: string, value: FlagValue, multiple: boolean): string[] {
  if (typeof value === "boolean") return value ? [`--${flag}`] : [];
  if (Array.isArray(value)) return multiple ? value.flatMap((v) => [`--${flag}`, String(v)]) : [`--${flag}`, value.join(",")];
  return [`--${flag}`, String(value)];
}

/**
 * argv with the config file's defaults for `commandId` prepended (only flags not given on the command
 * line, nor set by their environment variable). "defaults" applies to every command that has the flag.
 */
export async function withConfigDefaults(
  argv: readonly string[],
  commandId: string,
  flags: Command.Class["flags"],
  configDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ argv: string[]; file?: string; injected: string[] }> {
  const explicit = configPathFromArgv(argv);
  const file = explicit ?? path.join(configDir, CONFIG_FILE_NAME);
  const config = await readConfig(file, explicit !== undefined);
  if (!config) return { argv: [...argv], injected: [] };
  const section = commandId.replace(/:/g, " ");
  const merged: Record<string, FlagValue> = {};
  for (const [flag, value] of Object.entries(config["defaults"] ?? {})) if (flag in (flags ?? {})) merged[flag] = value;
  for (const [flag, value] of Object.entries(config[section] ?? {})) {
    if (!(flag in (flags ?? {}))) throw new PasticheError("INVALID_OPTION", `config file ${file}: "${section}" has no flag --${flag}`);
    merged[flag] = value;
  }
  const injected: string[] = [];
  const names: string[] = [];
  for (const [flag, value] of Object.entries(merged)) {
    if (PER_RUN_FLAGS.has(flag)) throw new PasticheError("INVALID_OPTION", `config file ${file}: --${flag} names one run's files and cannot have a default`);
    const def = flags[flag]!;
    const envName = FLAG_ENV[flag];
    if (given(argv, flag, def.char) || (envName !== undefined && env[envName] !== undefined)) continue;
    injected.push(...asArgs(flag, value, def.type === "option" && def.multiple === true));
    names.push(flag);
  }
  return { argv: [...injected, ...argv], file, injected: names };
}
