import { handleApi } from "../../../../../server/http/apiRequest";
import { serveResult } from "../../../../../server/http/handlers";
import { withApp } from "../../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/jobs/:id/result: the PNG; ?download=1 serves it as an attachment. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withApp((app) => handleApi(req, app, (api) => serveResult(app, api.owner, id, new URL(req.url))));
}
