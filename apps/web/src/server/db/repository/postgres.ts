/**
 * Cluster mode: the repository on PostgreSQL (PASTICHE_DATABASE_URL). The schema is brought up to
 * date at connect by the numbered files in migrations/postgres, under an advisory lock, so servers
 * and workers starting together migrate once.
 */
import path from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { appRoot } from "../../appRoot.ts";
import { readMigrations, type Migration } from "../migrate.ts";
import { KyselyRepository } from "./kyselyRepository.ts";
import type { Tables } from "./tables";

/** BIGINT columns (seq, byte counts, milliseconds) as numbers: all stay far below 2^53. */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export const POSTGRES_MIGRATIONS_DIR = (): string => path.join(appRoot(), "migrations", "postgres");

export interface PostgresOptions {
  /** Connections this process keeps at most (default 10). */
  maxConnections?: number;
  migrationsDir?: string;
  /** A pool to use (shared with the blob store and notifications) instead of one of its own; closing the repository ends it. */
  pool?: pg.Pool;
}

export function postgresPool(url: string, maxConnections = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections, types, connectionTimeoutMillis: 5000 });
  // An idle connection dropped by the server (a restart) must not crash the process: the pool
  // replaces it at the next query.
  pool.on("error", () => undefined);
  // Nor one dropped while checked out (a transaction, a blob write): pg-pool listens to idle clients
  // only, and a client's 'error' without a listener is an uncaught exception. Its queries still fail.
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  return pool;
}

/** Applies the migrations newer than the database's; returns the schema version. */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('pastiche:migrate', 0))");
    await client.query("CREATE TABLE IF NOT EXISTS pastiche_schema (version INTEGER NOT NULL)");
    const r = await client.query<{ version: number }>("SELECT version FROM pastiche_schema");
    const current = r.rows[0]?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(`the database is at schema version ${current}, newer than this server (${migrations.length}); upgrade the server`);
    }
    for (const m of migrations.slice(current)) await client.query(m.sql);
    if (r.rows.length === 0) await client.query("INSERT INTO pastiche_schema (version) VALUES ($1)", [migrations.length]);
    else await client.query("UPDATE pastiche_schema SET version = $1", [migrations.length]);
    await client.query("COMMIT");
    return migrations.length;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

export async function postgresRepository(url: string, options: PostgresOptions = {}): Promise<KyselyRepository> {
  const pool = options.pool ?? postgresPool(url, options.maxConnections);
  try {
    await migratePostgres(pool, readMigrations(options.migrationsDir ?? POSTGRES_MIGRATIONS_DIR()));
  } catch (e) {
    await pool.end();
    throw e;
  }
  return new KyselyRepository(new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }), "postgres");
}
