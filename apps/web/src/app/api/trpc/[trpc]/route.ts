import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../../../../server/api/root.js";

const handler = (req: Request): Promise<Response> =>
  fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => ({ app: { started: true }, clientIp: "local", bodyRefusal: null }) });

export { handler as GET, handler as POST };
