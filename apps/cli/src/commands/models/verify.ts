import { Args } from "@oclif/core";
import { PasticheError } from "@pastiche/core";
import { getModelEntry, listModels, resolveModelsDir, verifyModel } from "@pastiche/node";
import { BaseCommand } from "../../lib/baseCommand.js";

export default class ModelsVerify extends BaseCommand {
  static override summary = "Check installed model files: hashes of downloaded files, shard sizes of layers models.";
  static override args = { model: Args.string({ description: "model id (default: all)" }) };

  async run(): Promise<void> {
    const { args } = await this.parse(ModelsVerify);
    const { dir } = resolveModelsDir();
    const entries = args.model ? [getModelEntry(args.model)] : listModels();
    const problems: string[] = [];
    for (const entry of entries) {
      const v = await verifyModel(entry, dir);
      for (const f of v.files.filter((f) => f.present)) {
        this.log(
          `${entry.id}: ${f.path}: ${f.problem ? `BAD — ${f.problem}` : f.hash === "ok" ? "md5 ok" : f.shards ? "shards ok" : "present, hash not checked (no published hash)"}`,
        );
        if (f.problem) problems.push(f.problem);
      }
      if (!v.usable) problems.push(`${entry.id} is not installed in ${dir}: run \`pastiche models download ${entry.id}\``);
    }
    if (problems.length > 0) throw new PasticheError("INVALID_WEIGHTS", problems[0]!);
  }
}
