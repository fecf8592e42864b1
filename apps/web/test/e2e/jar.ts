/** An HTTP client that keeps its visitor cookie, like curl -b/-c: one jar per visitor (e2e tests). */
import http from "node:http";
import type { UploadedImage } from "../../src/shared/jobSchemas";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A client that keeps its cookie, like curl -b/-c: one jar per visitor. */
export class Jar {
  cookie: string | undefined;

  constructor(
    private readonly base: () => string,
    /** The local address the client connects from (any of 127.0.0.0/8 reaches the server). */
    private readonly localAddress = "127.0.0.1",
  ) {}

  request(method: string, route: string, options: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
    const url = new URL(route, this.base());
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method, localAddress: this.localAddress, headers: { ...(this.cookie !== undefined ? { cookie: this.cookie } : {}), ...options.headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const set = res.headers["set-cookie"]?.[0];
            if (set !== undefined && this.cookie === undefined) this.cookie = set.split(";")[0];
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
          });
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the procedure's output type
  async query<T>(proc: string, input: unknown): Promise<{ status: number; data?: T; error?: { message: string; data: { code: string } } }> {
    const res = await this.request("GET", `/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`);
    const json = JSON.parse(res.body.toString()) as { result?: { data: T }; error?: { message: string; data: { code: string } } };
    return { status: res.status, data: json.result?.data, error: json.error };
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the procedure's output type
  async mutate<T>(
    proc: string,
    input: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; data?: T; error?: { message: string; data: { code: string } } }> {
    const res = await this.request("POST", `/api/trpc/${proc}`, {
      body: Buffer.from(JSON.stringify(input)),
      headers: { "content-type": "application/json", ...headers },
    });
    const json = JSON.parse(res.body.toString()) as { result?: { data: T }; error?: { message: string; data: { code: string } } };
    return { status: res.status, data: json.result?.data, error: json.error };
  }

  async upload(bytes: Buffer, role: "content" | "style"): Promise<{ status: number; data?: UploadedImage; error?: { message: string } }> {
    const form = new FormData();
    form.set("file", new File([new Uint8Array(bytes)], "image"));
    form.set("role", role);
    const encoded = new Request("http://x/", { method: "POST", body: form });
    const res = await this.request("POST", "/api/trpc/images.upload", {
      body: Buffer.from(await encoded.arrayBuffer()),
      headers: { "content-type": encoded.headers.get("content-type")! },
    });
    const json = JSON.parse(res.body.toString()) as { result?: { data: UploadedImage }; error?: { message: string } };
    return { status: res.status, data: json.result?.data, error: json.error };
  }
}
