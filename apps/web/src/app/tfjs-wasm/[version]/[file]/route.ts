import { serveTfjsWasm } from "../../../../server/http/wasmRoutes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /tfjs-wasm/:version/:file: tfjs's WebAssembly binaries for the in-browser engine (the installed version's known names only). */
export async function GET(req: Request, { params }: { params: Promise<{ version: string; file: string }> }): Promise<Response> {
  const { version, file } = await params;
  return serveTfjsWasm(req, version, file);
}
