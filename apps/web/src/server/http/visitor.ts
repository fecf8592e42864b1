import { createHash } from "node:crypto";

/**
 * The key a visitor's rows are stored under: a hash of the cookie, so the database (a backup, a
 * log of queries) never holds the bearer secret itself.
 */
export function ownerKey(visitorId: string): string {
  return createHash("sha256").update(visitorId).digest("base64url");
}
