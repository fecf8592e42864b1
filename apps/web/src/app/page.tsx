import { connection } from "next/server";
import { PasticheApp } from "@/components/PasticheApp";

export default async function Home() {
  // Rendered per request: the CSP nonce (see proxy.ts) is new for every response, and Next.js can
  // only put it on its scripts when the page is not prerendered at build time.
  await connection();
  return <PasticheApp />;
}
