/**
 * Cluster mode's blob store: chunked BYTEA in PostgreSQL (migrations/postgres/002_blobs.sql).
 * Chunks of 1 MiB: a write sends one chunk per statement, a read fetches one chunk at a time as the
 * response drains, so neither side holds a blob twice and no value nears PostgreSQL's 1 GB limit.
 * Large objects were the alternative; chunked rows need no lo_* calls, survive pg_dump as plain
 * data and work through any connection pooler.
 */
import { Readable } from "node:stream";
import { CompiledQuery } from "kysely";
import type pg from "pg";
import type { Repository } from "../../db/repository/repository";
import { KyselyRepository } from "../../db/repository/kyselyRepository.ts";
import type { BlobKind, BlobStore } from "./blobStore";

export const BLOB_CHUNK_BYTES = 1024 * 1024;

type Query = <R>(text: string, params: unknown[]) => Promise<R[]>;

export class PostgresBlobs implements BlobStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly chunkBytes = BLOB_CHUNK_BYTES,
  ) {}

  /** The statements of a put, on a connection that is in a transaction. */
  private async write(query: Query, kind: BlobKind, id: string, data: Uint8Array): Promise<void> {
    const rows = await query<{ blob_id: number }>("SELECT nextval('blob_ids') AS blob_id", []);
    const blobId = rows[0]!.blob_id;
    for (let n = 0, at = 0; at < data.length || n === 0; n++, at += this.chunkBytes) {
      const chunk = data.subarray(at, at + this.chunkBytes);
      await query("INSERT INTO blob_chunks (blob_id, n, data) VALUES ($1, $2, $3)", [blobId, n, Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)]);
    }
    const old = await query<{ blob_id: number }>("SELECT blob_id FROM blobs WHERE kind = $1 AND id = $2 FOR UPDATE", [kind, id]);
    await query(
      "INSERT INTO blobs (kind, id, blob_id, size) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, id) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size",
      [kind, id, blobId, data.length],
    );
    if (old[0]) await query("DELETE FROM blob_chunks WHERE blob_id = $1", [old[0].blob_id]);
  }

  readonly putInTransaction = async (tx: Repository, kind: BlobKind, id: string, data: Uint8Array): Promise<void> => {
    if (!(tx instanceof KyselyRepository) || tx.dialect !== "postgres" || !tx.db.isTransaction)
      throw new Error("putInTransaction needs a PostgreSQL transaction");
    const { db } = tx;
    await this.write(async <R>(text: string, params: unknown[]) => (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows, kind, id, data);
  };

  async put(kind: BlobKind, id: string, data: Uint8Array): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await this.write(async <R>(text: string, params: unknown[]) => (await client.query(text, params)).rows as R[], kind, id, data);
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private async head(kind: BlobKind, id: string): Promise<{ blob_id: number; size: number } | undefined> {
    const { rows } = await this.pool.query<{ blob_id: number; size: number }>("SELECT blob_id, size FROM blobs WHERE kind = $1 AND id = $2", [kind, id]);
    return rows[0];
  }

  private async chunk(blobId: number, n: number): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ data: Buffer }>("SELECT data FROM blob_chunks WHERE blob_id = $1 AND n = $2", [blobId, n]);
    return rows[0]?.data;
  }

  async get(kind: BlobKind, id: string): Promise<Buffer | undefined> {
    const found = await this.stream(kind, id);
    if (!found) return undefined;
    const parts: Buffer[] = [];
    for await (const part of found.body) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  async stream(kind: BlobKind, id: string): Promise<{ size: number; body: Readable } | undefined> {
    const head = await this.head(kind, id);
    if (!head) return undefined;
    const count = Math.max(1, Math.ceil(head.size / this.chunkBytes));
    const chunk = (n: number): Promise<Buffer | undefined> => this.chunk(head.blob_id, n);
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let n = 0; n < count; n++) {
        const data = await chunk(n);
        // Replaced or deleted while being read: an error, never a mix of two blobs.
        if (!data) throw new Error(`the ${kind} ${id} was replaced or deleted while it was read`);
        if (data.length > 0) yield data;
      }
    }
    return { size: head.size, body: Readable.from(chunks(), { objectMode: false }) };
  }

  async delete(kind: BlobKind, id: string): Promise<void> {
    await this.pool.query(
      "WITH gone AS (DELETE FROM blobs WHERE kind = $1 AND id = $2 RETURNING blob_id) DELETE FROM blob_chunks WHERE blob_id IN (SELECT blob_id FROM gone)",
      [kind, id],
    );
  }

  async list(kind: BlobKind): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>("SELECT id FROM blobs WHERE kind = $1 ORDER BY id", [kind]);
    return rows.map((r) => r.id);
  }
}
