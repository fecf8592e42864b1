/**
 * Why in-browser stylisation failed, as a code the app can act on (every code means "run it on the
 * server instead"; the message says what happened, for the log).
 */
export type BrowserStylizeErrorCode = "NO_BACKEND" | "OUT_OF_MEMORY" | "MODEL_FETCH" | "BAD_IMAGE" | "FAILED";

export class BrowserStylizeError extends Error {
  override readonly name = "BrowserStylizeError";

  constructor(
    readonly code: BrowserStylizeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** tfjs reports exhausted GPU/WASM memory in several wordings; all of them mean OUT_OF_MEMORY. */
const OUT_OF_MEMORY = /out of memory|memory access out of bounds|Failed to allocate|could not grow memory|CONTEXT_LOST/i;

/** Any failure during a stylisation as a typed error (typed ones pass through). */
export function asBrowserStylizeError(error: unknown): BrowserStylizeError {
  if (error instanceof BrowserStylizeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BrowserStylizeError(OUT_OF_MEMORY.test(message) ? "OUT_OF_MEMORY" : "FAILED", message, { cause: error });
}
