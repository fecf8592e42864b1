/**
 * The tRPC endpoint (fetch adapter), behind the edge checks every request passes first:
 *  - the procedure names are decoded (a malformed escape is a 400) and batches are limited;
 *  - POSTs (every mutation) must come from this site (Origin / Sec-Fetch-Site);
 *  - POST bodies are limited — an upload to the upload limit, anything else to a few KB — by the
 *    decoded name, so `images%2Eupload` is limited like `images.upload`, and by the bytes read;
 *  - the visitor (cookie) and client address go into the context.
 * A refusal before tRPC runs is handed to it in the context, so every procedure of the request
 * reports it in tRPC's own error shape without reading any input.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { MAX_BATCH_SIZE } from "../../shared/constants";
import { appRouter } from "../api/root";
import type { PasticheApp } from "../app";
import { formatBytes, tooManyBytes } from "../storage/uploads";
import { apiRequest, withApiHeaders } from "./apiRequest";
import { limitBody, MULTIPART_OVERHEAD } from "./bodyLimit";
import { crossOriginRefusal } from "./sameOrigin";

export const TRPC_ENDPOINT = "/api/trpc";

/** Procedures whose body is a file (multipart), limited like an upload rather than to a few KB. */
const UPLOADS: readonly string[] = ["images.upload", "jobs.createClientResult"];

/** The procedure names of a request (several for a batch); undefined when the path does not decode. */
export function procedureNames(url: URL): string[] | undefined {
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice(TRPC_ENDPOINT.length + 1));
  } catch {
    return undefined;
  }
  return url.searchParams.get("batch") === "1" ? path.split(",") : [path];
}

function malformedUrl(): Response {
  const body = { error: { message: "The request's URL is malformed (a bad percent-escape).", code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400 } } };
  return withApiHeaders(Response.json(body, { status: 400 }));
}

/** A stand-in for a refused request's body: the procedure throws before it reads any input. */
function emptyRequest(req: Request, upload: boolean): Request {
  return upload
    ? new Request(req.url, { method: req.method, body: new FormData() })
    : new Request(req.url, { method: req.method, headers: { "content-type": "application/json" }, body: "{}" });
}

export async function handleTrpc(req: Request, app: PasticheApp): Promise<Response> {
  const url = new URL(req.url);
  const names = procedureNames(url);
  if (names === undefined) return malformedUrl();
  const api = apiRequest(req, app);
  let request = req;
  let refusal: TRPCError | null = null;
  if (req.method === "POST") {
    const crossOrigin = crossOriginRefusal(req.headers, app.config.trustedProxyHops);
    const upload = names.length === 1 && UPLOADS.includes(names[0]!);
    if (crossOrigin !== null) {
      refusal = new TRPCError({ code: "FORBIDDEN", message: crossOrigin });
      request = emptyRequest(req, upload);
    } else if (names.length <= MAX_BATCH_SIZE) {
      const { maxUploadBytes } = app.config.limits;
      const limited = await limitBody(req, upload ? maxUploadBytes + MULTIPART_OVERHEAD : app.config.maxRequestBytes);
      if (limited.ok) request = limited.request;
      else {
        const message = upload
          ? tooManyBytes(limited.declared, maxUploadBytes).message
          : `The request body is larger than the limit of ${formatBytes(app.config.maxRequestBytes)}.`;
        refusal = new TRPCError({ code: "PAYLOAD_TOO_LARGE", message });
        request = emptyRequest(req, upload);
      }
    }
  }
  const res = await fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: request,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => ({ app, clientIp: api.clientIp, owner: api.owner, refusal }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`pastiche web: ${path ?? "?"}:`, error.cause ?? error);
    },
  });
  return api.finish(res);
}
