/**
 * The client's address for the rate limit. Next's server appends the peer address to
 * X-Forwarded-For, so the rightmost entry is what Next saw; each trusted reverse proxy in front adds
 * one more entry, so we skip `trustedProxyHops` from the right. Entries further left are written by
 * the client and could be anything, so they are never used.
 */
export function clientIp(headers: Headers, trustedProxyHops: number): string {
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const fromForwarded = forwarded[forwarded.length - 1 - trustedProxyHops] ?? forwarded[0];
  return fromForwarded ?? headers.get("x-real-ip")?.trim() ?? "unknown";
}
