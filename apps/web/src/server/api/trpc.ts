/**
 * tRPC's building blocks for the server: the context every procedure sees, and error formatting that
 * turns validation failures into the one readable sentence the UI shows.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { PasticheApp } from "../app";

export interface Context {
  /** The server's services (database, storage, queue, limits). */
  app: PasticheApp;
  /** The client the request came from, for the rate limit (see clientIp.ts). */
  clientIp: string;
  /**
   * Set by the tRPC route handler when an upload's body was refused before tRPC read it (too large
   * by content-length or while streaming); the upload procedure throws it.
   */
  bodyRefusal: TRPCError | null;
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
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
export { TRPCError };
