import { randomBytes } from "node:crypto";

/** 128 random bits, base64url (22 characters): unguessable, and safe in paths and URLs. */
export function newId(): string {
  return randomBytes(16).toString("base64url");
}
