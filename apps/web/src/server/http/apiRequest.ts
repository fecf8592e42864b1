/**
 * What every API route does around its own work: identify the visitor (setting the cookie on the
 * first response), find the client address, and put the security headers on the response.
 */
import type { PasticheApp } from "../app";
import { databaseUnavailableResponse, isDatabaseUnavailable } from "../db/unavailable";
import { clientIp, isHttps } from "../limits/clientIp";
import { API_HEADERS } from "./apiHeaders";
import { ownerKey } from "./visitor";
import { newVisitorId, visitorIdFromCookies, visitorSetCookie } from "./visitorCookie";

export interface ApiRequest {
  /** The visitor's owner key (visitor.ts). */
  owner: string;
  clientIp: string;
  /** The response with the security headers, and the visitor cookie if it is new. */
  finish(res: Response): Response;
}

export function withApiHeaders(res: Response, setCookie: string | null = null): Response {
  const headers = new Headers(res.headers);
  for (const [name, value] of Object.entries(API_HEADERS)) if (!headers.has(name)) headers.set(name, value);
  if (setCookie !== null) headers.append("Set-Cookie", setCookie);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

export function apiRequest(req: Request, app: PasticheApp): ApiRequest {
  const hops = app.config.trustedProxyHops;
  const known = visitorIdFromCookies(req.headers.get("cookie"));
  const id = known ?? newVisitorId();
  const setCookie = known === undefined ? visitorSetCookie(id, isHttps(req.headers, hops)) : null;
  return { owner: ownerKey(id), clientIp: clientIp(req.headers, hops), finish: (res) => withApiHeaders(res, setCookie) };
}

/** A route handler's body, wrapped (see apiRequest); 503 with one sentence while the database is away. */
export async function handleApi(req: Request, app: PasticheApp, respond: (api: ApiRequest) => Promise<Response>): Promise<Response> {
  const api = apiRequest(req, app);
  try {
    return api.finish(await respond(api));
  } catch (e) {
    if (isDatabaseUnavailable(e)) return api.finish(databaseUnavailableResponse({}));
    throw e;
  }
}
