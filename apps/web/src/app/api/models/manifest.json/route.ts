import { resolveConfig } from "../../../../server/limits/config";
import { serveModelManifest } from "../../../../server/http/modelRoutes";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/models/manifest.json: the Fast model files with their hashes, for in-browser stylisation. */
export function GET(req: Request): Promise<Response> {
  return serveModelManifest(req, resolveConfig().modelsDir);
}
