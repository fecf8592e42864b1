/**
 * Schema migrations: numbered `NNN_name.sql` files in apps/web/migrations, applied in order, each in
 * its own transaction together with the bump of SQLite's `user_version` (the schema version), so a
 * crash mid-migration leaves the previous version intact.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .map((name) => ({ name, match: /^(\d+)_[\w-]+\.sql$/.exec(name) }))
    .filter((m): m is { name: string; match: RegExpExecArray } => m.match !== null)
    .map(({ name, match }) => ({ version: Number(match[1]), name, sql: readFileSync(path.join(dir, name), "utf8") }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3… without gaps; found ${m.name} at position ${i + 1}`);
  });
  return migrations;
}

/** Applies the migrations newer than the database's user_version; returns the new version. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`the database is at schema version ${current}, newer than this server (${migrations.length}); upgrade the server`);
  }
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return migrations.length;
}
