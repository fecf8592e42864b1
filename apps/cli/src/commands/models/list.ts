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
    for (const r of rows) {
      this.log(`${r.id.padEnd(8)} ${r.title} [${r.license}]`);
      this.log(`         ${r.installed ? `installed: ${r.installed}` : "not installed"}${r.downloadable ? `; source: ${r.downloadable}` : ""}`);
    }
  }
}
