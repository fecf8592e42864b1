import { Args, Flags } from "@oclif/core";
import { PasticheError } from "@pastiche/core";
import { MANIFEST_FILE, getModelEntry, listModels, resolveModelsDir, verifyModel, type ContentCheck, type ModelFileStatus } from "@pastiche/node";
import { BaseCommand } from "../../lib/baseCommand.js";

/** What one file's sha256 check found, in words. */
function describeCheck(check: ContentCheck): string {
  switch (check.state) {
    case "ok":
      return check.against.recorded === "download"
        ? `sha256 ok (as downloaded, ${check.against.at})`
        : `sha256 ok (unchanged since first verified, ${check.against.at}; no published hash to check it against)`;
    case "changed":
      return `BAD — sha256 ${check.sha256.slice(0, 16)}…, recorded ${check.against.sha256.slice(0, 16)}…`;
    case "recorded-now":
      return `sha256 recorded now (first verification: no published hash, so later changes are detected, not whether it was good before) ${check.sha256.slice(0, 16)}…`;
    case "unrecorded":
      return `sha256 ${check.sha256.slice(0, 16)}… ${check.why}`;
  }
}

/** The published-hash and structure checks of a form, when they apply. */
function describeForm(f: ModelFileStatus): string | undefined {
  if (f.problem && !f.content?.some((c) => c.check.state === "changed")) return `BAD — ${f.problem}`;
  if (f.hash === "ok") return "md5 matches the published hash";
  if (f.shards === "ok") return "shard sizes match model.json";
  return undefined;
}

export default class ModelsVerify extends BaseCommand {
  static override summary = "Check installed model files: the sha256 of every file against the manifest, published hashes, shard sizes.";
  static override description = `Every file (a layers model's model.json and each shard) is hashed and compared with ${MANIFEST_FILE} in the models directory. The manifest records a file's sha256 when pastiche downloads it, or the first time it verifies a file it did not download (which detects later corruption, not whether the file was good before). The VGG19 .h5 is also checked against Keras' published md5.`;
  static override args = { model: Args.string({ description: "model id (default: all)" }) };
  static override flags = { json: Flags.boolean({ description: "print the result as one JSON object" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModelsVerify);
    const { dir } = resolveModelsDir();
    const entries = args.model ? [getModelEntry(args.model)] : listModels();
    const problems: string[] = [];
    const report = [];
    for (const entry of entries) {
      const v = await verifyModel(entry, dir, { content: true, record: true });
      report.push(v);
      for (const f of v.files.filter((f) => f.present)) {
        const form = describeForm(f);
        if (!flags.json && form) this.log(`${entry.id}: ${f.path}: ${form}`);
        for (const c of f.content ?? []) if (!flags.json) this.log(`${entry.id}: ${c.file}: ${describeCheck(c.check)}`);
        if (f.problem) problems.push(f.problem);
      }
      if (!v.usable) problems.push(`${entry.id} is not installed in ${dir}: run \`pastiche models download ${entry.id}\``);
    }
    if (problems.length > 0) throw new PasticheError("INVALID_WEIGHTS", problems[0]!);
    if (flags.json) this.log(JSON.stringify({ modelsDir: dir, models: report }));
  }
}
