/** Embedded mode: the repository over the app's SQLite file (better-sqlite3, schema by migrations/). */
import type Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { KyselyRepository } from "./kyselyRepository.js";
import type { Tables } from "./tables";

/**
 * Kysely runs one query at a time on the connection and holds it for the whole of a transaction,
 * so a transaction spanning awaits never takes in another request's statements. Embedded mode is
 * one process with one connection (the data directory is locked), so there is no other writer.
 * Closing the repository closes `db`.
 */
export function sqliteRepository(db: Database.Database): KyselyRepository {
  return new KyselyRepository(new Kysely<Tables>({ dialect: new SqliteDialect({ database: db }) }), "sqlite");
}
