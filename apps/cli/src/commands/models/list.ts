import { Flags } from "@oclif/core";
import { listModels, resolveModelsDir, verifyModel } from "@pastiche/node";
import { BaseCommand } from "../../lib/baseCommand.js";

export default class ModelsList extends BaseCommand {
  static override summary = "List the models Pastiche knows and whether each is installed.";
  static override flags = { json: Flags.boolean({ description: "print as JSON" }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(ModelsList);
    const { dir } = resolveModelsDir();
    const rows = await Promise.all(
      listModels().map(async (m) => {
        const v = await verifyModel(m, dir);
        return { id: m.id, title: m.title, license: m.license, installed: v.usable?.path ?? null, downloadable: m.download?.url ?? null };
      }),
    );
    if (flags.json) {
      this.log(JSON.stringify({ modelsDir: dir, models: rows }, null, 2));
      return;
    }
    this.log(`models dir: ${dir}`);
    const table = [["ID", "STATUS", "LICENSE", "TITLE"], ...rows.map((r) => [r.id, r.installed ? "installed" : "not installed", r.license, r.title])];
    for (const line of alignColumns(table)) this.log(line);
    for (const r of rows) {
      this.log(`${r.id}: ${r.installed ? `installed at ${r.installed}` : "not installed"}${r.downloadable ? `; source: ${r.downloadable}` : ""}`);
    }
  }
}

/** Rows as lines with every column padded to its widest cell (two spaces between columns). */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  "));
}
