/**
 * The database going away (PostgreSQL restarting, the network between machines dropping): every
 * request that needs it gets one clear sentence and a 503, never a stack trace; the pool, the
 * notification listener and pg-boss reconnect by themselves once it is back.
 */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is temporarily unavailable; please try again in a moment.";

/** Socket errors, and PostgreSQL's connection-exception (08…) and operator-intervention (57P0…) classes. */
const CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "57P01", "57P02", "57P03"]);

/** node-postgres's own messages for a connection that broke or never came (they carry no code). */
const MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)/i;

export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (depth > 5 || typeof e !== "object" || e === null) return false;
  const { code, message, cause, errors } = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string" && (CODES.has(code) || code.startsWith("08"))) return true;
  if (typeof message === "string" && MESSAGES.test(message)) return true;
  // AggregateError: a host name with several addresses, each refused.
  if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

/** The answer of a binary route (image, result, preview) while the database is away. */
export function databaseUnavailableResponse(headers: Record<string, string>): Response {
  return new Response(`${DATABASE_UNAVAILABLE_MESSAGE}\n`, {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "5", ...headers },
  });
}
