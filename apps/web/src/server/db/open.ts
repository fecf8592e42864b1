import path from "node:path";
import Database from "better-sqlite3";
import { appRoot } from "../appRoot";
import { migrate, readMigrations } from "./migrate";

/** Opens (creating if needed) the database and brings its schema up to date. */
export function openDatabase(file: string, migrationsDir = path.join(appRoot(), "migrations")): Database.Database {
  const db = new Database(file);
  // WAL: readers (API queries) never wait for the writer (progress updates), and commits are cheap.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, readMigrations(migrationsDir));
  return db;
}
