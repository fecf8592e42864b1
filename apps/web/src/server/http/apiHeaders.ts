/**
 * Headers on every API response (JSON, SSE, images): no MIME sniffing, a CSP that lets nothing in a
 * response run or load anything (an image opened directly, or JSON, is inert), no framing.
 */
export const API_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Resource-Policy": "same-origin",
};
