import { Command, Errors, Flags } from "@oclif/core";
import { isPasticheError, type PasticheErrorCode } from "@pastiche/core";
import { reportError, wantsJson } from "./errors.js";
import { withConfigDefaults } from "./configFile.js";

/** Exit codes: 2 bad input or options, 3 a model is missing or broken, 4 backend, 130 interrupted. */
const EXIT_CODES: Partial<Record<PasticheErrorCode, number>> = {
  MODEL_NOT_FOUND: 3,
  INVALID_WEIGHTS: 3,
  DOWNLOAD_FAILED: 3,
  HASH_MISMATCH: 3,
  BACKEND_UNAVAILABLE: 4,
  GRADIENTS_NOT_REGISTERED: 4,
  ABORTED: 130,
};

/**
 * Every command reports failure the same way: one line on stderr, `pastiche: error: …` (under
 * --json one JSON object with `code` and `message` on stdout), and a non-zero exit code; no stack
 * traces for expected errors.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    config: Flags.string({
      description: "read default flags from this JSON file [default: ~/.config/pastiche/config.json]; command-line flags > env > config > defaults",
      helpGroup: "GLOBAL",
    }),
  };

  /** Flags set by the config file, and which file: errors about them say where the value came from. */
  private fromConfig: { file?: string; injected: string[] } = { injected: [] };

  override async init(): Promise<void> {
    await super.init();
    // Defaults from the config file become flags the user did not type, parsed like typed ones.
    const { argv, ...fromConfig } = await withConfigDefaults(this.argv, this.id ?? "", this.ctor.flags, this.config.configDir);
    this.argv = argv;
    this.fromConfig = fromConfig;
  }

  /** " (set in config file X)" when the message is about a flag the config file set. */
  private configNote(message: string): string {
    const flag = /--([a-z][a-z0-9-]*)/.exec(message)?.[1];
    return flag !== undefined && this.fromConfig.injected.includes(flag) ? `${message} (set in config file ${this.fromConfig.file})` : message;
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    const json = wantsJson(this.argv);
    if (isPasticheError(err)) {
      reportError({ code: err.code, message: this.configNote(oneLine(err.message)) }, json);
      this.exit(EXIT_CODES[err.code] ?? 2);
    }
    // oclif's own parse errors (unknown flag, missing argument): keep them on one line too.
    if (err instanceof Errors.CLIError && !(err instanceof Errors.ExitError)) {
      reportError({ code: "INVALID_FLAG", message: this.configNote(oneLine(err.message)) }, json);
      this.exit(2);
    }
    if (json && !(err instanceof Errors.ExitError)) {
      reportError({ code: "INTERNAL", message: oneLine(err.message) }, true);
      this.exit(1);
    }
    await super.catch(err);
  }
}

/**
 * One line for stderr. oclif adds lines to its parse errors ("Missing 1 required arg:\nstyle: …\nSee
 * more help with --help"), and rewrites the message of an error thrown by a flag's `parse` function in
 * place to "Parsing --flag \n\t<message>\nSee more help with --help", even for our one-line
 * PasticheErrors. Our flag messages already name the flag, so keep just <message>; otherwise drop the
 * help hint and join the remaining lines.
 */
function oneLine(message: string): string {
  const wrapped = /^Parsing --\S+ ?\n\t([^\n]*)\nSee more help with --help$/.exec(message);
  if (wrapped) return wrapped[1]!.trim();
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("See more help with"))
    .join(" ");
}
