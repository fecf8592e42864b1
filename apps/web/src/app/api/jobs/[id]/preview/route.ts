import { servePreview } from "../../../../../server/http/handlers";
import { getPasticheApp } from "../../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/jobs/:id/preview: the latest intermediate image of a Quality job (JPEG). */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return servePreview(getPasticheApp(), (await params).id);
}
