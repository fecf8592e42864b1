/** The blob stores: the same tests on the data directory (embedded mode) and on PostgreSQL (cluster mode). */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TEMP_FILE_PREFIX } from "@pastiche/node/light";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import type pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readMigrations } from "../../src/server/db/migrate.js";
import { migratePostgres, postgresPool } from "../../src/server/db/repository/postgres.js";
import type { BlobStore } from "../../src/server/storage/blobs/blobStore.js";
import { DataDirBlobs } from "../../src/server/storage/blobs/dataDirBlobs.js";
import { PostgresBlobs } from "../../src/server/storage/blobs/postgresBlobs.js";
import { dataPaths } from "../../src/server/storage/dataDir.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/postgres.js";

const CHUNK = 1000;
/** An id of the server's shape (22 base64url characters). */
const id = (name: string): string => name.padEnd(22, "_");
const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

async function drain(body: NodeJS.ReadableStream): Promise<{ data: Buffer; pieces: number }> {
  const parts: Buffer[] = [];
  for await (const p of body) parts.push(p as Buffer);
  return { data: Buffer.concat(parts), pieces: parts.length };
}

function blobSuite(
  name: string,
  reasons: (string | undefined)[],
  setup: { before: () => Promise<BlobStore>; after: () => Promise<void> | void; extra?: (store: () => BlobStore) => void },
): void {
  describeNeeding(reasons, `blob store on ${name}`, () => {
    let store: BlobStore;
    beforeAll(async () => {
      store = await setup.before();
    }, 120_000);
    afterAll(setup.after);

    it("stores, reads whole and streamed, replaces, deletes; a missing blob is undefined", async () => {
      const big = bytes(3 * CHUNK + 500);
      await store.put("result", id("job-a"), big);
      expect(Buffer.compare((await store.get("result", id("job-a")))!, Buffer.from(big))).toBe(0);
      const streamed = (await store.stream("result", id("job-a")))!;
      expect(streamed.size).toBe(big.length);
      expect(Buffer.compare((await drain(streamed.body)).data, Buffer.from(big))).toBe(0);
      const smaller = bytes(10, 7);
      await store.put("result", id("job-a"), smaller);
      expect(Buffer.compare((await store.get("result", id("job-a")))!, Buffer.from(smaller))).toBe(0);
      await store.put("preview", id("job-a"), new Uint8Array(0));
      expect((await store.get("preview", id("job-a")))!.length).toBe(0);
      expect((await store.stream("preview", id("job-a")))!.size).toBe(0);
      expect(await store.get("upload", id("job-a"))).toBeUndefined();
      expect(await store.stream("upload", id("job-a"))).toBeUndefined();
      await store.delete("result", id("job-a"));
      await store.delete("result", id("job-a"));
      expect(await store.get("result", id("job-a"))).toBeUndefined();
      expect(await store.get("preview", id("job-a"))).toBeDefined();
    });

    it("lists the ids of a kind", async () => {
      await store.put("upload", id("u1"), bytes(5));
      await store.put("upload", id("u2"), bytes(5));
      await store.put("thumbnail", id("u1"), bytes(5));
      expect((await store.list("upload")).sort()).toEqual([id("u1"), id("u2")].sort());
      expect(await store.list("thumbnail")).toEqual([id("u1")]);
    });

    setup.extra?.(() => store);
  });
}

let dir = "";
blobSuite("the data directory", [], {
  before: () => {
    dir = mkdtempSync(path.join(tmpdir(), "pastiche-blobs-"));
    return Promise.resolve(new DataDirBlobs(dataPaths(dir)));
  },
  after: () => {
    rmSync(dir, { recursive: true, force: true });
  },
  extra: (store) => {
    it("does not list leftovers of interrupted writes", async () => {
      writeFileSync(path.join(dir, "results", `${TEMP_FILE_PREFIX}123-abc`), "x");
      await store().put("result", id("r1"), bytes(3));
      expect(await store().list("result")).toEqual([id("r1")]);
    });
  },
});

let cluster: ThrowawayPostgres | undefined;
let pool: pg.Pool | undefined;
blobSuite("PostgreSQL", [needs.postgres()], {
  before: async () => {
    cluster = await startThrowawayPostgres();
    pool = postgresPool(await cluster.database("blobs"));
    await migratePostgres(pool, readMigrations(path.resolve(import.meta.dirname, "../../migrations/postgres")));
    return new PostgresBlobs(pool, CHUNK);
  },
  after: async () => {
    await pool?.end();
    cluster?.remove();
  },
  extra: (store) => {
    it("keeps blobs in chunks, streams them chunk by chunk, leaves no chunk of a replaced or deleted blob", async () => {
      const chunks = async (): Promise<number> => Number((await pool!.query<{ n: string }>("SELECT COUNT(*) AS n FROM blob_chunks")).rows[0]!.n);
      const before = await chunks();
      await store().put("upload", id("big"), bytes(5 * CHUNK));
      expect(await chunks()).toBe(before + 5);
      expect((await drain((await store().stream("upload", id("big")))!.body)).pieces).toBe(5);
      await store().put("upload", id("big"), bytes(2 * CHUNK + 1));
      expect(await chunks()).toBe(before + 3);
      await store().delete("upload", id("big"));
      expect(await chunks()).toBe(before);
    });

    it("a read of a blob deleted meanwhile fails instead of mixing", async () => {
      await store().put("result", id("gone"), bytes(4 * CHUNK));
      const streamed = (await store().stream("result", id("gone")))!;
      await store().delete("result", id("gone"));
      await expect(drain(streamed.body)).rejects.toThrow("replaced or deleted while it was read");
    });
  },
});
