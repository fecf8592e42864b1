import { handleApi } from "../../../../server/http/apiRequest";
import { serveImage } from "../../../../server/http/handlers";
import { withApp } from "../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/images/:id (the uploaded image, re-encoded) or ?thumb=1 (a JPEG thumbnail, ≤ 256 px). */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withApp((app) => handleApi(req, app, (api) => serveImage(app, api.owner, id, new URL(req.url))));
}
