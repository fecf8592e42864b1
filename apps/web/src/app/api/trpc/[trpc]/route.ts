import { handleTrpc } from "../../../../server/http/trpcHandler";
import { withApp } from "../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = (req: Request): Promise<Response> => withApp((app) => handleTrpc(req, app));

export { handler as GET, handler as POST };
