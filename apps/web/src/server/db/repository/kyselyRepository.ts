/**
 * The repository on Kysely: one body of queries for SQLite and PostgreSQL. The only dialect-specific
 * SQL is `styleIdsContain` (JSON arrays) and the advisory locks of `buckets.lock`.
 */
import { sql, type Expression, type Kysely, type RawBuilder, type Transaction } from "kysely";
import { TERMINAL_STATUSES } from "../../../shared/constants.ts";
import type { JobMode, JobProgress, JobStatus } from "../../../shared/jobSchemas";
import { MAX_ATTEMPTS, RESTART_FAILURE, type JobRow, type NewJob, type RecoveryOutcome } from "./rows.ts";
import type { Bucket, NewUpload, UploadRow } from "./rows";
import type { BucketStore, Dialect, JobStore, Repository, RetentionStore, UploadStore } from "./repository";
import type { Tables } from "./tables";

type Db = Kysely<Tables>;

/** SQL true when the job's JSON array of style ids contains `id`. */
function styleIdsContain(dialect: Dialect, id: Expression<string> | string): RawBuilder<boolean> {
  const value = typeof id === "string" ? sql.val(id) : id;
  return dialect === "postgres"
    ? sql<boolean>`(jobs.style_ids_json::jsonb @> jsonb_build_array(${value}::text))`
    : sql<boolean>`EXISTS (SELECT 1 FROM json_each(jobs.style_ids_json) WHERE value = ${value})`;
}

const n = (v: unknown): number => Number(v ?? 0);

class KyselyJobs implements JobStore {
  constructor(
    private readonly db: Db,
    private readonly repo: KyselyRepository,
  ) {}

  async insert(job: NewJob): Promise<void> {
    await this.db
      .insertInto("jobs")
      .values({
        id: job.id,
        mode: job.mode,
        status: "queued",
        options_json: JSON.stringify(job.options),
        content_id: job.contentId,
        style_ids_json: JSON.stringify(job.styleIds),
        client: job.client,
        owner: job.owner,
        created_at: job.createdAt,
      })
      .execute();
  }

  get(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  own(id: string, owner: string): Promise<JobRow | undefined> {
    return this.db.selectFrom("jobs").selectAll().where("id", "=", id).where("owner", "=", owner).where("deleting", "=", 0).executeTakeFirst();
  }

  shared(token: string): Promise<JobRow | undefined> {
    return this.db.selectFrom("jobs").selectAll().where("share_token", "=", token).where("has_result", "=", 1).where("deleting", "=", 0).executeTakeFirst();
  }

  list(owner: string, limit: number, beforeSeq: number | undefined): Promise<JobRow[]> {
    let q = this.db.selectFrom("jobs").selectAll().where("owner", "=", owner).where("deleting", "=", 0);
    if (beforeSeq !== undefined) q = q.where("seq", "<", beforeSeq);
    return q.orderBy("seq", "desc").limit(limit).execute();
  }

  async setShareToken(id: string, token: string | null): Promise<void> {
    await this.db.updateTable("jobs").set({ share_token: token }).where("id", "=", id).execute();
  }

  async setDiskBytes(id: string, bytes: number): Promise<void> {
    await this.db.updateTable("jobs").set({ disk_bytes: bytes }).where("id", "=", id).execute();
  }

  async markDeleting(id: string): Promise<void> {
    await this.db.updateTable("jobs").set({ deleting: 1, share_token: null }).where("id", "=", id).execute();
  }

  async queuePosition(row: Pick<JobRow, "mode" | "seq">): Promise<number> {
    const r = await this.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("status", "=", "queued")
      .where("mode", "=", row.mode)
      .where("seq", "<", row.seq)
      .executeTakeFirst();
    return n(r?.n);
  }

  claimNext(mode: JobMode, now: string): Promise<JobRow | undefined> {
    return this.repo.kyselyTransaction(async (tx) => {
      const next = await tx.db
        .selectFrom("jobs")
        .select("id")
        .where("status", "=", "queued")
        .where("deleting", "=", 0)
        .where("mode", "=", mode)
        .orderBy("seq")
        .limit(1)
        .executeTakeFirst();
      return next ? tx.jobs.start(next.id, now) : undefined;
    });
  }

  start(id: string, now: string): Promise<JobRow | undefined> {
    return this.db
      .updateTable("jobs")
      .set((eb) => ({ status: "running", started_at: now, attempts: eb("attempts", "+", 1), error: null, progress_json: null }))
      .where("id", "=", id)
      .where("status", "=", "queued")
      .where("deleting", "=", 0)
      .returningAll()
      .executeTakeFirst();
  }

  claim(id: string, now: string): Promise<JobRow | undefined> {
    return this.db
      .updateTable("jobs")
      .set((eb) => ({ status: "running", started_at: now, attempts: eb("attempts", "+", 1), error: null }))
      .where("id", "=", id)
      .where("status", "in", ["queued", "running"])
      .where("deleting", "=", 0)
      .returningAll()
      .executeTakeFirst();
  }

  async updateProgress(id: string, progress: JobProgress, previewWritten: boolean): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set((eb) => ({ progress_json: JSON.stringify(progress), preview_version: eb("preview_version", "+", previewWritten ? 1 : 0) }))
      .where("id", "=", id)
      .where("status", "=", "running")
      .execute();
  }

  async finish(
    id: string,
    status: Extract<JobStatus, "succeeded" | "failed" | "cancelled">,
    now: string,
    error: string | null,
    hasResult: boolean,
    attempt?: number,
  ): Promise<boolean> {
    // A job that ends without a result stops offering its preview here, before the file goes.
    let q = this.db
      .updateTable("jobs")
      .set((eb) => ({ status, finished_at: now, error, has_result: hasResult ? 1 : 0, preview_version: hasResult ? eb.ref("preview_version") : 0 }))
      .where("id", "=", id)
      .where("status", "in", ["queued", "running"]);
    if (attempt !== undefined) q = q.where("attempts", "=", attempt);
    const r = await q.executeTakeFirst();
    return n(r.numUpdatedRows) > 0;
  }

  recoverInterrupted(now: string): Promise<RecoveryOutcome> {
    return this.repo.kyselyTransaction(async ({ db }) => {
      const rows = await db.selectFrom("jobs").select(["id", "attempts"]).where("status", "=", "running").orderBy("seq").execute();
      const outcome: RecoveryOutcome = { requeued: [], failed: [] };
      for (const row of rows) {
        if (row.attempts < MAX_ATTEMPTS) {
          await db.updateTable("jobs").set({ status: "queued", started_at: null, progress_json: null }).where("id", "=", row.id).execute();
          outcome.requeued.push(row.id);
        } else {
          await db.updateTable("jobs").set({ status: "failed", finished_at: now, error: RESTART_FAILURE }).where("id", "=", row.id).execute();
          outcome.failed.push(row.id);
        }
      }
      return outcome;
    });
  }
}

class KyselyUploads implements UploadStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async insert(row: NewUpload): Promise<void> {
    await this.db.insertInto("uploads").values(row).execute();
  }

  visible(id: string, owner: string): Promise<UploadRow | undefined> {
    return this.db
      .selectFrom("uploads")
      .selectAll()
      .where("id", "=", id)
      .where("deleting", "=", 0)
      .where((eb) => eb.or([eb("owner", "=", owner), eb("example_key", "is not", null)]))
      .executeTakeFirst();
  }

  own(id: string, owner: string): Promise<UploadRow | undefined> {
    return this.db.selectFrom("uploads").selectAll().where("id", "=", id).where("deleting", "=", 0).where("owner", "=", owner).executeTakeFirst();
  }

  get(id: string): Promise<UploadRow | undefined> {
    return this.db.selectFrom("uploads").selectAll().where("id", "=", id).executeTakeFirst();
  }

  examples(): Promise<UploadRow[]> {
    return this.db.selectFrom("uploads").selectAll().where("example_key", "is not", null).where("deleting", "=", 0).orderBy("example_key").execute();
  }

  byExampleKey(key: string): Promise<UploadRow | undefined> {
    return this.db.selectFrom("uploads").selectAll().where("example_key", "=", key).executeTakeFirst();
  }

  async usedBy(id: string): Promise<number> {
    const r = await this.db
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("deleting", "=", 0)
      .where((eb) => eb.or([eb("content_id", "=", id), styleIdsContain(this.dialect, id)]))
      .executeTakeFirst();
    return n(r?.n);
  }

  async markDeleting(id: string): Promise<void> {
    await this.db.updateTable("uploads").set({ deleting: 1 }).where("id", "=", id).execute();
  }
}

class KyselyBuckets implements BucketStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async lock(keys: readonly string[]): Promise<void> {
    // SQLite: one connection, whose transactions Kysely already runs one at a time.
    if (this.dialect !== "postgres") return;
    // Sorted, so two transactions locking the same keys never wait for each other in a cycle.
    for (const key of [...keys].sort()) await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(this.db);
  }

  async get(key: string): Promise<Bucket | undefined> {
    const r = await this.db.selectFrom("rate_buckets").select(["tokens", "updated_ms"]).where("key", "=", key).executeTakeFirst();
    return r;
  }

  async put(key: string, bucket: Bucket): Promise<void> {
    await this.db
      .insertInto("rate_buckets")
      .values({ key, ...bucket })
      .onConflict((oc) => oc.column("key").doUpdateSet((eb) => ({ tokens: eb.ref("excluded.tokens"), updated_ms: eb.ref("excluded.updated_ms") })))
      .execute();
  }

  async prune(prefix: string, beforeMs: number): Promise<void> {
    await this.db.deleteFrom("rate_buckets").where("key", "like", `${prefix}:%`).where("updated_ms", "<", beforeMs).execute();
  }
}

class KyselyRetention implements RetentionStore {
  constructor(
    private readonly db: Db,
    private readonly repo: KyselyRepository,
  ) {}

  /** SQL true when a job uses the upload `uploads.id` (only jobs not being deleted, with `remaining`). */
  private inUse(remaining: boolean): RawBuilder<boolean> {
    const uses = sql`(jobs.content_id = uploads.id OR ${styleIdsContain(this.repo.dialect, sql.ref("uploads.id"))})`;
    return remaining ? sql<boolean>`EXISTS (SELECT 1 FROM jobs WHERE jobs.deleting = 0 AND ${uses})` : sql<boolean>`EXISTS (SELECT 1 FROM jobs WHERE ${uses})`;
  }

  markExpired(cutoff: string): Promise<void> {
    return this.repo.kyselyTransaction(async ({ db }) => {
      await db
        .updateTable("jobs")
        .set({ deleting: 1, share_token: null })
        .where("deleting", "=", 0)
        .where("status", "in", TERMINAL_STATUSES)
        .where("created_at", "<", cutoff)
        .execute();
      await db
        .updateTable("uploads")
        .set({ deleting: 1 })
        .where("deleting", "=", 0)
        .where("example_key", "is", null)
        .where("created_at", "<", cutoff)
        .where((eb) => eb.not(this.inUse(true)))
        .execute();
    });
  }

  async markedJobIds(): Promise<string[]> {
    const rows = await this.db.selectFrom("jobs").select("id").where("deleting", "=", 1).execute();
    return rows.map((r) => r.id);
  }

  async deleteMarkedJobs(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom("jobs").where("id", "in", ids).where("deleting", "=", 1).execute();
  }

  async purgeableUploadIds(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("uploads")
      .select("id")
      .where("deleting", "=", 1)
      .where((eb) => eb.not(this.inUse(false)))
      .execute();
    return rows.map((r) => r.id);
  }

  async deleteMarkedUploads(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom("uploads").where("id", "in", ids).where("deleting", "=", 1).execute();
  }

  async fileOwners(): Promise<{ uploads: string[]; jobs: Pick<JobRow, "id" | "status" | "has_result">[] }> {
    const uploads = await this.db.selectFrom("uploads").select("id").execute();
    const jobs = await this.db.selectFrom("jobs").select(["id", "status", "has_result"]).execute();
    return { uploads: uploads.map((r) => r.id), jobs };
  }

  async usedBytes(owner: string): Promise<number> {
    // CAST: PostgreSQL's SUM of BIGINT is NUMERIC (a string in node-postgres).
    const sum = (table: "uploads" | "jobs") =>
      this.db
        .selectFrom(table)
        .select(sql<number>`CAST(COALESCE(SUM(disk_bytes), 0) AS BIGINT)`.as("n"))
        .where("owner", "=", owner)
        .where("deleting", "=", 0)
        .executeTakeFirst();
    const [u, j] = await Promise.all([sum("uploads"), sum("jobs")]);
    return n(u?.n) + n(j?.n);
  }
}

export class KyselyRepository implements Repository {
  readonly jobs: JobStore;
  readonly uploads: UploadStore;
  readonly buckets: BucketStore;
  readonly retention: RetentionStore;

  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    private readonly onClose: () => Promise<void> = () => db.destroy(),
  ) {
    this.jobs = new KyselyJobs(db, this);
    this.uploads = new KyselyUploads(db, dialect);
    this.buckets = new KyselyBuckets(db, dialect);
    this.retention = new KyselyRetention(db, this);
  }

  transaction<T>(fn: (tx: Repository) => Promise<T>): Promise<T> {
    return this.kyselyTransaction(fn);
  }

  /** `transaction`, with the transaction's own Kysely handle for the stores' multi-statement methods. */
  kyselyTransaction<T>(fn: (tx: KyselyRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this);
    return this.db.transaction().execute((trx: Transaction<Tables>) => fn(new KyselyRepository(trx, this.dialect, () => Promise.resolve())));
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
