import { Command, Errors } from "@oclif/core";
import { isPasticheError, type PasticheErrorCode } from "@pastiche/core";

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
 * Every command reports failure the same way: one line on stderr, `pastiche: error: …`, and a
 * non-zero exit code; no stack traces for expected errors.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    if (isPasticheError(err)) {
      process.stderr.write(`pastiche: error: ${err.message}\n`);
      this.exit(EXIT_CODES[err.code] ?? 2);
    }
    // oclif's own parse errors (unknown flag, missing argument): keep them on one line too.
    if (err instanceof Errors.CLIError && !(err instanceof Errors.ExitError)) {
      process.stderr.write(`pastiche: error: ${err.message.split("\n")[0]!.trim()}\n`);
      this.exit(2);
    }
    return super.catch(err);
  }
}
