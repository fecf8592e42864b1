/**
 * tRPC's building blocks for the server: the context every procedure sees, and error formatting that
 * turns validation failures into the one readable sentence the UI shows.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { PasticheApp } from "../app";
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/unavailable";
import { DISK_FULL_MESSAGE, isDiskFull } from "../limits/storage";

export interface Context {
  /** The server's services (database, storage, queue, limits). */
  app: PasticheApp;
  /** The client the request came from, for the rate limits (see clientIp.ts). */
  clientIp: string;
  /** The visitor's owner key (http/visitor.ts): every upload and job is looked up with it. */
  owner: string;
  /**
   * Set by the tRPC route handler when the request was refused before tRPC read it (body too
   * large, another site's request); every procedure throws it before reading its input.
   */
  refusal: TRPCError | null;
}

/** The first validation problem as a sentence, e.g. "options.size: The output size can be at most 1024 pixels on this server." */
export function zodErrorSentence(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "The request is not valid.";
  const message = issue.message.endsWith(".") ? issue.message : `${issue.message}.`;
  const where = issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
  // Our own messages are whole sentences that name the field; zod's built-ins need the path.
  return /^[A-Z]/.test(issue.message) ? message : `Invalid ${where}${message}`;
}

const t = initTRPC.context<Context>().create({
  // No stack traces in responses, whatever NODE_ENV says (the cause of an internal error is logged).
  isDev: false,
  // Progress streams can be quiet for a while (a worker loading its models, a slow iteration): a
  // ping keeps proxies from closing them, and the client reconnects if even pings stop.
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 30_000 } },
  errorFormatter({ shape, error }) {
    if (error.cause instanceof ZodError) return { ...shape, message: zodErrorSentence(error.cause) };
    // Never leak internals: unexpected errors become a generic sentence (the cause is logged).
    if (error.code === "INTERNAL_SERVER_ERROR") return { ...shape, message: "Something went wrong on the server; please try again." };
    return shape;
  },
});

export const createTRPCRouter = t.router;

/**
 * Every procedure: the edge's refusal first; a full disk (file system or database) and a database
 * that is away become one clear sentence instead of an internal error.
 */
export const publicProcedure = t.procedure
  .use(({ ctx, next }) => {
    if (ctx.refusal) throw ctx.refusal;
    return next();
  })
  .use(async ({ next }) => {
    const result = await next();
    if (!result.ok && isDiskFull(result.error.cause))
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DISK_FULL_MESSAGE, cause: result.error.cause });
    if (!result.ok && (isDatabaseUnavailable(result.error.cause) || isDatabaseUnavailable(result.error)))
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNAVAILABLE_MESSAGE, cause: result.error.cause });
    return result;
  });
export const createCallerFactory = t.createCallerFactory;
export { TRPCError };
