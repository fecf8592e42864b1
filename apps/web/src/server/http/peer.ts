/**
 * The client's socket address, which Next does not hand to route handlers: its own
 * `X-Forwarded-For ??= peer` keeps whatever the client sent. A gate installed on Node's HTTP server
 * (from instrumentation.ts, before Next sees the request) writes the peer address into a private
 * header, tagged with a per-process secret so a client cannot forge it, and answers malformed URLs
 * (`%ZZ`) with 400 before Next's router turns them into a 500.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { API_HEADERS } from "./apiHeaders";

export const PEER_HEADER = "x-pastiche-peer";

const SECRET_KEY = Symbol.for("pastiche.web.peerSecret");
const INSTALLED_KEY = Symbol.for("pastiche.web.requestGate");
type GlobalWithGate = typeof globalThis & { [SECRET_KEY]?: string; [INSTALLED_KEY]?: boolean };

function secret(): string {
  const g = globalThis as GlobalWithGate;
  g[SECRET_KEY] ??= randomBytes(16).toString("hex");
  return g[SECRET_KEY];
}

/** The header value for a peer (the gate sets it; tests use it to stand in for a socket). */
export function peerHeaderValue(address: string, https = false): string {
  return `${secret()} ${https ? "https" : "http"} ${address}`;
}

export interface Peer {
  address: string;
  https: boolean;
}

/** The peer recorded by the gate, or undefined when the header is missing or forged. */
export function peerOf(headers: Headers): Peer | undefined {
  const [tag, scheme, address] = (headers.get(PEER_HEADER) ?? "").split(" ");
  if (tag !== secret() || !address) return undefined;
  return { address, https: scheme === "https" };
}

/** Whether the path's percent-escapes decode (a malformed one makes decodeURIComponent throw). */
export function wellFormedPath(url: string): boolean {
  const q = url.indexOf("?");
  try {
    decodeURIComponent(q < 0 ? url : url.slice(0, q));
    return true;
  } catch {
    return false;
  }
}

/** Installs the gate once per process, on every HTTP(S) server (Next creates its own). */
export function installRequestGate(): void {
  const g = globalThis as GlobalWithGate;
  if (g[INSTALLED_KEY]) return;
  g[INSTALLED_KEY] = true;
  gate(http.Server.prototype);
  gate(https.Server.prototype);
}

function gate(proto: http.Server | https.Server): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the server as `this` below
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      if (!wellFormedPath(req.url ?? "/")) {
        res.writeHead(400, { ...API_HEADERS, "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
        res.end("Bad request: the URL has a malformed percent-escape.\n");
        return true;
      }
      req.headers[PEER_HEADER] = peerHeaderValue(req.socket.remoteAddress ?? "unknown", (req.socket as Partial<TLSSocket>).encrypted === true);
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}
