import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { TRPCError } from "@trpc/server";
import { appRouter } from "../api/root";
import type { PasticheApp } from "../app";
import { clientIp } from "../limits/clientIp";
import { limitBody } from "./bodyLimit";

export const TRPC_ENDPOINT = "/api/trpc";

/** The tRPC endpoint (fetch adapter), with the upload body limit applied first. */
export async function handleTrpc(req: Request, app: PasticheApp): Promise<Response> {
  let request = req;
  let bodyRefusal: TRPCError | null = null;
  if (req.method === "POST" && new URL(req.url).pathname.includes("images.upload")) {
    const limited = await limitBody(req, app.config.limits.maxUploadBytes);
    request = limited.request;
    if (!limited.ok) bodyRefusal = limited.refusal;
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: request,
    router: appRouter,
    createContext: () => ({ app, clientIp: clientIp(req.headers, app.config.trustedProxyHops), bodyRefusal }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`pastiche web: ${path ?? "?"}:`, error.cause ?? error);
    },
  });
}
