import { z } from "zod";

/**
 * Every id the server hands out (uploads, jobs) is 128 random bits in base64url: 22 characters of
 * [A-Za-z0-9_-]. Checking the shape at the edge means nothing that looks like a path (`../x`, `a/b`)
 * ever reaches a lookup, let alone the file system; the server then also checks the id in the DB.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export const IdSchema = z.string().regex(ID_PATTERN, { message: "That id is not a valid Pastiche id." });
