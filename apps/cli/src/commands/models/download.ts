import { Args, Flags } from "@oclif/core";
import { UNKNOWN_MD5, downloadModel, getModelEntry, resolveModelsDir } from "@pastiche/node";
import cliProgress from "cli-progress";
import { BaseCommand } from "../../lib/baseCommand.js";

export default class ModelsDownload extends BaseCommand {
  static override summary = "Download a model's canonical file into the models directory and verify its hash.";
  static override examples = ["<%= config.bin %> models download vgg19"];
  static override args = { model: Args.string({ description: "model id (see `pastiche models list`)", required: true }) };
  static override flags = {
    url: Flags.string({ description: "download from this mirror instead (the published hash is still checked)" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModelsDownload);
    const entry = getModelEntry(args.model);
    const { dir } = resolveModelsDir();
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: " {bar} {percentage}% | {value}/{total} MB", stream: process.stderr }, cliProgress.Presets.shades_classic)
      : undefined;
    let started = false;
    const controller = new AbortController();
    const onSigint = () => {
      controller.abort();
    };
    process.once("SIGINT", onSigint);
    try {
      const result = await downloadModel(entry, {
        modelsDir: dir,
        signal: controller.signal,
        ...(flags.url ? { url: flags.url } : {}),
        onProgress: (received, total) => {
          const mb = (n: number) => Math.round(n / 1e5) / 10;
          if (!bar) return;
          if (!started) {
            bar.start(mb(total ?? entry.download?.sizeBytes ?? received), 0);
            started = true;
          }
          bar.update(mb(received));
        },
      });
      bar?.stop();
      this.log(
        `downloaded ${result.path} (${result.bytes} bytes, md5 ${result.md5} ${entry.download?.md5 === UNKNOWN_MD5 ? "not checked: no published hash" : "verified"})`,
      );
    } finally {
      bar?.stop();
      process.off("SIGINT", onSigint);
    }
  }
}
