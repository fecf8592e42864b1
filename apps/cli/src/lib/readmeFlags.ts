/**
 * README's flag tables, generated from the commands' own flag definitions (the oclif manifest
 * written at build), so the README never drifts from `--help`. Each table sits between
 * `<!-- flags:COMMAND -->` and `<!-- /flags:COMMAND -->`; `pnpm --filter @pastiche/cli readme`
 * rewrites them and a test checks the README matches.
 */
import { readFile, writeFile } from "node:fs/promises";

interface ManifestFlag {
  readonly name: string;
  readonly char?: string;
  readonly description?: string;
  readonly options?: readonly string[];
  readonly default?: unknown;
  readonly required?: boolean;
  readonly type: "option" | "boolean";
  readonly helpGroup?: string;
  readonly hidden?: boolean;
}

export interface OclifManifest {
  readonly commands: Readonly<Record<string, { readonly flags: Readonly<Record<string, ManifestFlag>> }>>;
}

/** The commands whose flags the README lists. */
export const README_COMMANDS = ["stylize", "fast", "video"] as const;

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** One command's flag table, in the order the command declares its flags. */
export function flagTable(manifest: OclifManifest, command: string): string {
  // Global flags (--config) last, as --help shows them.
  const all = Object.values(manifest.commands[command]?.flags ?? {}).filter((f) => !f.hidden && f.name !== "help");
  const flags = [...all.filter((f) => f.helpGroup !== "GLOBAL"), ...all.filter((f) => f.helpGroup === "GLOBAL")];
  const rows = flags.map((f) => {
    const raw = f.description ?? "";
    const shown = /\s*\[default: ([^\]]*)\]/.exec(raw);
    const meaning = raw.replace(/\s*\[default: [^\]]*\]/, "");
    const def = f.required ? "(required)" : shown ? shown[1]! : typeof f.default === "string" || typeof f.default === "number" ? String(f.default) : "";
    const name = `${f.char ? `-${f.char}, ` : ""}--${f.name}${f.type === "option" && f.options ? ` ${f.options.join("|")}` : ""}`;
    return `| \`${cell(name)}\` | ${cell(def)} | ${cell(meaning)} |`;
  });
  return ["| flag | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** README text with every marked table regenerated. */
export function withFlagTables(readme: string, manifest: OclifManifest): string {
  let text = readme;
  for (const command of README_COMMANDS) {
    const start = `<!-- flags:${command} -->`;
    const end = `<!-- /flags:${command} -->`;
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README has no ${start} … ${end} markers`);
    text = `${text.slice(0, a + start.length)}\n${flagTable(manifest, command)}\n${text.slice(b)}`;
  }
  return text;
}

/** Rewrites the root README's tables from the built manifest (`pnpm --filter @pastiche/cli readme`, after a build). */
export async function writeReadmeFlagTables(): Promise<void> {
  const readme = new URL("../../../../README.md", import.meta.url);
  const manifest = JSON.parse(await readFile(new URL("../../oclif.manifest.json", import.meta.url), "utf8")) as OclifManifest;
  await writeFile(readme, withFlagTables(await readFile(readme, "utf8"), manifest));
}
