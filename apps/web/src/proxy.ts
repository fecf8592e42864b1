import { NextResponse, type NextRequest } from "next/server";
import { newVisitorId, visitorIdFromCookies, visitorSetCookie } from "./server/http/visitorCookie";
import { isHttps } from "./server/limits/clientIp";

/**
 * Security headers for every page, with a fresh CSP nonce per request. Next.js reads the nonce
 * from the request's Content-Security-Policy header while rendering and puts it on its own
 * scripts, so the page hydrates under a policy that allows no other script. A first visit also
 * gets its visitor cookie here (API routes set it themselves, see server/http/apiRequest.ts).
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  // React's development build evaluates code for its error overlays; production never does.
  const isDev = process.env.NODE_ENV === "development";
  // 'wasm-unsafe-eval' lets the in-browser engine compile tfjs' WebAssembly backend; it allows no JS eval.
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${isDev ? " 'unsafe-eval'" : ""}`,
    // The dev server injects its CSS as <style> tags without a nonce; production links stylesheets.
    isDev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  // The live camera stylises the webcam on this origin only; no frame or other origin may ask for it.
  response.headers.set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=(), usb=()");
  if (visitorIdFromCookies(request.headers.get("cookie")) === undefined) {
    // HTTPS as the socket says (the request gate records it), or as a trusted proxy reports it.
    const hops = Number(process.env.PASTICHE_TRUSTED_PROXY_HOPS ?? 0);
    response.headers.append("Set-Cookie", visitorSetCookie(newVisitorId(), isHttps(request.headers, Number.isSafeInteger(hops) ? hops : 0)));
  }
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only. /api is left out on purpose: Next buffers (and past 10 MB truncates) request
      // bodies that pass through the proxy, which would break upload size checks; API responses get
      // their headers from the route handlers. Static assets need no CSP.
      source: "/((?!api|tfjs-wasm|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
