import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../../src/server/db/migrate.js";
import { tempDir } from "./helpers.js";

const dirs: (() => void)[] = [];
afterEach(() => {
  for (const remove of dirs.splice(0)) remove();
});

function migrationsDir(files: Record<string, string>): string {
  const { dir, remove } = tempDir("pastiche-migrations-");
  dirs.push(remove);
  mkdirSync(dir, { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

describe("migrations", () => {
  it("applies each numbered file once, in order, and records the version", () => {
    const dir = migrationsDir({ "001_a.sql": "CREATE TABLE a (x);", "002_b.sql": "CREATE TABLE b (y);", "README.md": "not a migration" });
    const db = new Database(":memory:");
    expect(migrate(db, readMigrations(dir))).toBe(2);
    expect(db.pragma("user_version", { simple: true })).toBe(2);
    // Again: nothing to do (would fail with "table a already exists" otherwise).
    expect(migrate(db, readMigrations(dir))).toBe(2);
  });

  it("rolls a failing migration back entirely, version included", () => {
    const dir = migrationsDir({ "001_a.sql": "CREATE TABLE a (x);", "002_bad.sql": "CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);" });
    const db = new Database(":memory:");
    expect(() => migrate(db, readMigrations(dir))).toThrow(/nowhere/);
    expect(db.pragma("user_version", { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
  });

  it("refuses gaps and databases from a newer server", () => {
    expect(() => readMigrations(migrationsDir({ "001_a.sql": "", "003_c.sql": "" }))).toThrow(/without gaps/);
    const db = new Database(":memory:");
    db.pragma("user_version = 7");
    expect(() => migrate(db, readMigrations(migrationsDir({ "001_a.sql": "" })))).toThrow(/newer than this server/);
  });
});
