import { resolveConfig } from "../../../../../../server/limits/config";
import { serveModelFile } from "../../../../../../server/http/modelRoutes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/models/files/:sha256/:name: one model file of the manifest, content-addressed and immutable. */
export async function GET(req: Request, { params }: { params: Promise<{ sha256: string; name: string }> }): Promise<Response> {
  const { sha256, name } = await params;
  return serveModelFile(req, resolveConfig().modelsDir, sha256, name);
}
