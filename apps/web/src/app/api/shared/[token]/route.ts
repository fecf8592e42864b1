import { handleApi } from "../../../../server/http/apiRequest";
import { serveShared } from "../../../../server/http/handlers";
import { withApp } from "../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/shared/:token: a result its visitor published (jobs.publish), read-only. */
export async function GET(req: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  return withApp((app) => handleApi(req, app, () => serveShared(app, token)));
}
