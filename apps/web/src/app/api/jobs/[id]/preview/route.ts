import { handleApi } from "../../../../../server/http/apiRequest";
import { servePreview } from "../../../../../server/http/handlers";
import { withApp } from "../../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/jobs/:id/preview: the latest intermediate image of a Quality job (JPEG). */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withApp((app) => handleApi(req, app, (api) => servePreview(app, api.owner, id)));
}
