/** Embedded mode: the repository over the app's SQLite file (better-sqlite3, schema by migrations/). */
import type Database from "better-sqlite3";
import { Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from "kysely";
import { KyselyRepository } from "./kyselyRepository.ts";
import type { Tables } from "./tables";

/**
 * SQLite ends a transaction itself on some errors (SQLITE_FULL): Kysely's ROLLBACK then fails with
 * "no transaction is active" and hides the error that matters, so it is skipped when none is open.
 */
class EmbeddedDriver extends SqliteDriver {
  constructor(private readonly db: Database.Database) {
    super({ database: db });
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.db.inTransaction) await super.rollbackTransaction(connection);
  }
}

class EmbeddedDialect extends SqliteDialect {
  constructor(private readonly db: Database.Database) {
    super({ database: db });
  }

  override createDriver(): Driver {
    return new EmbeddedDriver(this.db);
  }
}

/**
 * Kysely runs one query at a time on the connection and holds it for the whole of a transaction,
 * so a transaction spanning awaits never takes in another request's statements. Embedded mode is
 * one process with one connection (the data directory is locked), so there is no other writer.
 * Closing the repository closes `db`.
 */
export function sqliteRepository(db: Database.Database): KyselyRepository {
  return new KyselyRepository(new Kysely<Tables>({ dialect: new EmbeddedDialect(db) }), "sqlite");
}
