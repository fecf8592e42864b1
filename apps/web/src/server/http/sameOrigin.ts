/**
 * Cross-site request forgery guard for mutations: a browser says where a request comes from
 * (Sec-Fetch-Site, or Origin on older browsers); anything but this site is refused. Clients that
 * send neither are not browsers, so no visitor's cookie can be abused through them.
 */
export function crossOriginRefusal(headers: Headers, trustedProxyHops: number): string | null {
  const refusal = "This request comes from another site; Pastiche accepts changes only from its own pages.";
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none" ? null : refusal;
  const origin = headers.get("origin");
  if (origin === null) return null;
  const host = (trustedProxyHops > 0 ? headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined) ?? headers.get("host");
  try {
    return host !== null && new URL(origin).host === host ? null : refusal;
  } catch {
    return refusal;
  }
}
