import { peerOf } from "../http/peer";

/**
 * The rate limits' notion of one client: `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) is
 * `1.2.3.4`, and an IPv6 address counts as its /64 (one customer's network: a client there can pick
 * any of 2^64 addresses).
 */
export function normalise(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(":")) return address;
  const [head = "", tail] = address.toLowerCase().split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  if (tail === undefined && left.length !== 8) return address.toLowerCase();
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/**
 * The client's address, for the rate limits: the socket's peer (recorded by the request gate, see
 * peer.ts) unless `trustedProxyHops` reverse proxies are in front. Each of them appends the address
 * it saw to X-Forwarded-For, so the client is the entry `trustedProxyHops` places from the right;
 * entries further left are written by the client and never used. With fewer entries than proxies
 * (a request that bypassed them) the peer is used. "unknown" only without the gate (a
 * misconfigured server): every such request then shares one bucket, which fails safe.
 */
export function clientIp(headers: Headers, trustedProxyHops: number): string {
  const peer = peerOf(headers)?.address ?? "unknown";
  if (trustedProxyHops === 0) return normalise(peer);
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return normalise(forwarded[forwarded.length - trustedProxyHops] ?? peer);
}

/** Whether the client reached us over HTTPS: our own socket, or the trusted proxy's X-Forwarded-Proto. */
export function isHttps(headers: Headers, trustedProxyHops: number): boolean {
  if (peerOf(headers)?.https === true) return true;
  return trustedProxyHops > 0 && headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}
