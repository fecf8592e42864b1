import { serveImage } from "../../../../server/http/handlers";
import { getPasticheApp } from "../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/images/:id (the uploaded file) or ?thumb=1 (a JPEG thumbnail, ≤ 256 px). */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return serveImage(getPasticheApp(), (await params).id, new URL(req.url));
}
