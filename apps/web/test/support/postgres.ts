/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temp dir, a free port on 127.0.0.1, the
 * socket in the same dir, stopped and removed at the end. PostgreSQL refuses to run as root, so as
 * root the cluster belongs to (and runs as) the `postgres` user. Use behind `needs.postgres()`.
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { postgresBinDir } from "@pastiche/vitest-config/needs";
import pg from "pg";
import { freePort } from "../e2e/server.js";

export interface ThrowawayPostgres {
  /** Connection string of a database of its own (see `database`). */
  readonly url: string;
  readonly port: number;
  /** A fresh empty database in the cluster; returns its URL. */
  database(name: string): Promise<string>;
  /** Stops the server (immediate: like a crash of the machine); `start` brings it back on the same port. */
  stop(): void;
  start(): void;
  /** Stops the server and removes every file. */
  remove(): void;
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("no PostgreSQL (initdb, pg_ctl) on this machine; gate the test on needs.postgres()");
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), "pastiche-pg-"));
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]): void => {
    const exe = path.join(bin, tool);
    if (root) execFileSync("runuser", ["-u", "postgres", "--", exe, ...args], { stdio: "pipe", cwd: dir });
    else execFileSync(exe, args, { stdio: "pipe", cwd: dir });
  };
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "pastiche", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freePort();
  // fsync off: a stopped server (a process crash) loses nothing the OS has. synchronous_commit stays
  // on: off, an immediate stop loses the last ~600 ms of commits, which the fault tests would see.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const start = (): void => {
    run("pg_ctl", ["-D", data, "-l", path.join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
  };
  const stop = (): void => {
    run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  };
  start();
  const url = `postgres://pastiche@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    url,
    port,
    async database(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return `postgres://pastiche@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    stop() {
      stop();
      running = false;
    },
    start() {
      start();
      running = true;
    },
    remove() {
      try {
        if (running) stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
