/**
 * How every command reports a failure: one line on stderr (`pastiche: error: …`), or under --json one
 * JSON object `{"type":"error","code":…,"message":…}` on stdout, where a program reading the JSON looks.
 */
export interface ReportedError {
  /** A PasticheErrorCode, or the CLI's own: INVALID_FLAG (oclif parse errors), UNKNOWN_COMMAND, INTERNAL. */
  readonly code: string;
  readonly message: string;
}

export function reportError(error: ReportedError, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify({ type: "error", code: error.code, message: error.message })}\n`);
  else process.stderr.write(`pastiche: error: ${error.message}\n`);
}

/** Whether the command line asks for JSON output (also when parsing it failed). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes("--json");
}
