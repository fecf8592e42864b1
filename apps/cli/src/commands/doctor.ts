import { Flags } from "@oclif/core";
import { initBackend, listModels, resolveModelsDir, verifyModel } from "@pastiche/node";
import { BaseCommand } from "../lib/baseCommand.js";
import { backendFlag } from "../lib/sharedFlags.js";

export default class Doctor extends BaseCommand {
  static override summary = "Show the backend in use, versions, and where each model was looked for and found.";
  static override flags = {
    backend: backendFlag(),
    json: Flags.boolean({ description: "print the report as JSON" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const backend = await initBackend(flags.backend);
    const modelsDir = resolveModelsDir();
    const models = await Promise.all(listModels().map((m) => verifyModel(m, modelsDir.dir)));
    const report = {
      pastiche: this.config.version,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      backend,
      modelsDir,
      models,
    };
    if (flags.json) {
      this.log(JSON.stringify(report, null, 2));
      return;
    }
    this.log(`pastiche ${report.pastiche}, node ${report.node}, ${report.platform}`);
    const threads = backend.threads !== undefined ? `, ${backend.threads} thread(s)${backend.simd ? ", SIMD" : ""}` : "";
    const graph =
      backend.graph === undefined ? "" : `; Gatys evaluations ${backend.graph ? "as one TensorFlow graph each" : "op by op (PASTICHE_TF_GRAPH=off)"}`;
    this.log(`backend: ${backend.name}${threads} (tfjs ${backend.tfjsVersion}) — ${backend.reason}${graph}`);
    this.log(
      `models dir: ${modelsDir.dir} (${modelsDir.source === "env" ? "from PASTICHE_MODELS_DIR" : "default per-user cache; set PASTICHE_MODELS_DIR to change"})`,
    );
    for (const m of models) {
      this.log(`model ${m.id}: ${m.usable ? `found ${m.usable.path}` : "NOT FOUND — run `pastiche models download " + m.id + "`"}`);
      for (const f of m.files) {
        const state = !f.present ? "missing" : f.problem ? `BAD: ${f.problem}` : "ok";
        this.log(`  looked at ${f.path}: ${state}`);
      }
    }
  }
}
