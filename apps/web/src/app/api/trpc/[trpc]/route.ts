import { handleTrpc } from "../../../../server/http/trpcHandler";
import { getPasticheApp } from "../../../../server/singleton";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = (req: Request): Promise<Response> => handleTrpc(req, getPasticheApp());

export { handler as GET, handler as POST };
