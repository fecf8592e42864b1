/**
 * The one error type Pastiche throws on bad input or bad files. `code` is stable and machine-readable
 * (the CLI maps it to an exit code, the web app to a tRPC error); `message` is one line that names
 * the problem and, where it helps, what to do.
 */
export type PasticheErrorCode =
  | "INVALID_OPTION"
  | "UNKNOWN_LAYER"
  | "INVALID_WEIGHTS"
  | "MODEL_NOT_FOUND"
  | "DOWNLOAD_FAILED"
  | "HASH_MISMATCH"
  | "INPUT_CHANGED"
  | "INVALID_IMAGE"
  | "IMAGE_TOO_LARGE"
  | "INVALID_VIDEO"
  | "TOOL_NOT_FOUND"
  | "FILE_NOT_FOUND"
  | "OUTPUT_NOT_WRITABLE"
  | "BACKEND_UNAVAILABLE"
  | "GRADIENTS_NOT_REGISTERED"
  | "ABORTED";

/**
 * The error Pastiche throws on bad input, bad files and unavailable resources: check `code`
 * (stable, machine-readable), show `message` (one line naming the problem).
 *
 * @example
 * ```ts
 * try {
 *   parseFastOptions({ size: -1 });
 * } catch (e) {
 *   if (isPasticheError(e) && e.code === "INVALID_OPTION") console.error(e.message);
 * }
 * ```
 */
export class PasticheError extends Error {
  override readonly name = "PasticheError";
  /** What went wrong, for programs: the CLI maps it to an exit code, the web app to a tRPC error. */
  readonly code: PasticheErrorCode;

  constructor(code: PasticheErrorCode, message: string, options?: { cause?: unknown }) {
    // Keep messages to one line: they are shown verbatim by the CLI and the web UI.
    super(message.replace(/\s*\n\s*/g, " "), options);
    this.code = code;
  }
}

/** The first line of what `e` says (its message, or the value as text), trimmed: for one-line errors that quote a cause. */
export function firstLineOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim();
}

/** Whether `e` is a {@link PasticheError} (a typed, one-line error) rather than an unexpected failure. */
export function isPasticheError(e: unknown): e is PasticheError {
  return e instanceof PasticheError;
}
