/**
 * The visitor cookie: an unguessable id (128 random bits, base64url) that the server sets on its
 * first response to a browser or any HTTP client that keeps cookies. Web APIs only: the page proxy
 * (proxy.ts) uses it too.
 */
import { ID_PATTERN } from "../../shared/ids";

export const VISITOR_COOKIE = "pastiche_visitor";

/** 400 days, the longest lifetime browsers keep a cookie; the work itself expires sooner (retention). */
const MAX_AGE_S = 400 * 24 * 3600;

/** The visitor id in a Cookie header, if there is a well-formed one. */
export function visitorIdFromCookies(cookieHeader: string | null): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== VISITOR_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (ID_PATTERN.test(value)) return value;
  }
  return undefined;
}

export function newVisitorId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Buffer.from(bytes).toString("base64url");
}

/** The Set-Cookie value: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs), Secure over HTTPS. */
export function visitorSetCookie(id: string, secure: boolean): string {
  return `${VISITOR_COOKIE}=${id}; Path=/; Max-Age=${MAX_AGE_S}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
