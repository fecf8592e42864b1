import { handleTrpc } from "../../../../server/http/trpcHandler.js";
import { getPasticheApp } from "../../../../server/singleton.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = (req: Request): Promise<Response> => handleTrpc(req, getPasticheApp());

export { handler as GET, handler as POST };
