/**
 * The shared repository suite: the same tests on SQLite (embedded mode) and on PostgreSQL (cluster
 * mode, a throwaway cluster; skipped with the reason when PostgreSQL is not installed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { MAX_ATTEMPTS, RESTART_FAILURE, type NewJob } from "../../src/server/db/repository/rows.js";
import { openDatabase } from "../../src/server/db/open.js";
import { postgresRepository } from "../../src/server/db/repository/postgres.js";
import type { Repository } from "../../src/server/db/repository/repository.js";
import { KyselyRepository } from "../../src/server/db/repository/kyselyRepository.js";
import { sqliteRepository } from "../../src/server/db/repository/sqlite.js";
import type { NewUpload } from "../../src/server/db/repository/rows.js";
import { RateLimiter } from "../../src/server/limits/rateLimit.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../support/postgres.js";

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../migrations");

/**
 * `second`: another repository on the same database — on PostgreSQL another server of the cluster
 * (its own pool); on SQLite the same connection (embedded mode is one process holding the file).
 */
interface Backend {
  open(): Promise<{ repo: Repository; second: () => Promise<Repository> }>;
}

function sqliteBackend(): Backend & { cleanup(): void } {
  const dirs: string[] = [];
  return {
    open() {
      const dir = mkdtempSync(path.join(tmpdir(), "pastiche-repo-"));
      dirs.push(dir);
      const db = openDatabase(path.join(dir, "pastiche.db"), MIGRATIONS_DIR);
      const repo = sqliteRepository(db);
      // The second closes nothing: the connection is the first's.
      const second = (): Promise<Repository> => Promise.resolve(new KyselyRepository(repo.db, "sqlite", () => Promise.resolve()));
      return Promise.resolve({ repo, second });
    },
    cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

function postgresBackend(cluster: () => ThrowawayPostgres): Backend {
  let n = 0;
  return {
    async open() {
      const url = await cluster().database(`repo_${++n}`);
      const migrationsDir = path.join(MIGRATIONS_DIR, "postgres");
      return { repo: await postgresRepository(url, { migrationsDir }), second: () => postgresRepository(url, { migrationsDir }) };
    },
  };
}

const upload = (id: string, owner: string | null, extra: Partial<NewUpload> = {}): NewUpload => ({
  id,
  role: "content",
  format: "png",
  width: 64,
  height: 48,
  bytes: 100,
  example_key: null,
  created_at: "2026-01-01T00:00:00.000Z",
  owner,
  disk_bytes: 150,
  ...extra,
});

const job = (id: string, owner: string, extra: Partial<NewJob> = {}): NewJob => ({
  id,
  mode: "fast",
  options: { strength: 1 } as unknown as NewJob["options"],
  contentId: "c1",
  styleIds: ["s1"],
  client: "203.0.113.7",
  owner,
  createdAt: "2026-01-01T00:00:00.000Z",
  ...extra,
});

function repositorySuite(
  name: string,
  reasons: (string | undefined)[],
  backend: () => Backend,
  hooks: { before?: () => Promise<void>; after?: () => void } = {},
): void {
  describeNeeding(reasons, `repository on ${name}`, () => {
    let repo: Repository;
    let second: () => Promise<Repository>;
    const opened: Repository[] = [];
    if (hooks.before) beforeAll(hooks.before, 120_000);
    if (hooks.after) afterAll(hooks.after);
    const fresh = async (): Promise<void> => {
      const o = await backend().open();
      repo = o.repo;
      second = async () => {
        const r = await o.second();
        opened.push(r);
        return r;
      };
      opened.push(repo);
      await repo.uploads.insert(upload("c1", "alice"));
      await repo.uploads.insert(upload("s1", "alice", { role: "style" }));
    };
    afterEach(async () => {
      for (const r of opened.splice(0)) await r.close();
    });

    it("scopes jobs to their owner, pages them newest first, hides deleted ones", async () => {
      await fresh();
      for (const id of ["j1", "j2", "j3"]) await repo.jobs.insert(job(id, "alice"));
      await repo.jobs.insert(job("b1", "bob"));
      expect((await repo.jobs.own("j1", "alice"))?.id).toBe("j1");
      expect(await repo.jobs.own("j1", "bob")).toBeUndefined();
      expect((await repo.jobs.get("b1"))?.owner).toBe("bob");
      const page = await repo.jobs.list("alice", 2, undefined);
      expect(page.map((r) => r.id)).toEqual(["j3", "j2"]);
      expect(typeof page[0]!.seq).toBe("number");
      expect((await repo.jobs.list("alice", 2, page[1]!.seq)).map((r) => r.id)).toEqual(["j1"]);
      const row = (await repo.jobs.get("j2"))!;
      expect(row).toMatchObject({ status: "queued", attempts: 0, preview_version: 0, has_result: 0, deleting: 0, disk_bytes: 0, share_token: null });
      expect(JSON.parse(row.style_ids_json)).toEqual(["s1"]);
      await repo.jobs.markDeleting("j2");
      expect(await repo.jobs.own("j2", "alice")).toBeUndefined();
      expect((await repo.jobs.list("alice", 10, undefined)).map((r) => r.id)).toEqual(["j3", "j1"]);
    });

    it("shares a result only by its token, and only while it has one", async () => {
      await fresh();
      await repo.jobs.insert(job("j1", "alice"));
      await repo.jobs.setShareToken("j1", "tok");
      expect(await repo.jobs.shared("tok")).toBeUndefined();
      await repo.jobs.start("j1", "2026-01-01T00:00:01.000Z");
      await repo.jobs.finish("j1", "succeeded", "2026-01-01T00:00:02.000Z", null, true);
      expect((await repo.jobs.shared("tok"))?.id).toBe("j1");
      await repo.jobs.setShareToken("j1", null);
      expect(await repo.jobs.shared("tok")).toBeUndefined();
    });

    it("claims FIFO per mode, starts only queued jobs, counts queue positions", async () => {
      await fresh();
      await repo.jobs.insert(job("f1", "alice"));
      await repo.jobs.insert(job("q1", "alice", { mode: "quality" }));
      await repo.jobs.insert(job("f2", "alice"));
      await repo.jobs.insert(job("f3", "alice"));
      const f3 = (await repo.jobs.get("f3"))!;
      expect(await repo.jobs.queuePosition(f3)).toBe(2);
      const claimed = await repo.jobs.claimNext("fast", "2026-01-01T00:00:05.000Z");
      expect(claimed).toMatchObject({ id: "f1", status: "running", attempts: 1, started_at: "2026-01-01T00:00:05.000Z" });
      expect(await repo.jobs.queuePosition(f3)).toBe(1);
      expect((await repo.jobs.claimNext("quality", "2026-01-01T00:00:06.000Z"))?.id).toBe("q1");
      expect(await repo.jobs.claimNext("quality", "2026-01-01T00:00:06.000Z")).toBeUndefined();
      expect(await repo.jobs.start("f1", "x")).toBeUndefined();
      expect((await repo.jobs.start("f3", "2026-01-01T00:00:07.000Z"))?.status).toBe("running");
      expect((await repo.jobs.claimNext("fast", "2026-01-01T00:00:08.000Z"))?.id).toBe("f2");
    });

    it("records progress of running jobs only; ends a job once; a job without a result drops its preview", async () => {
      await fresh();
      await repo.jobs.insert(job("j1", "alice"));
      const progress = { iteration: 3, iterations: 10, elapsedMs: 30, etaMs: 70, losses: null } as never;
      await repo.jobs.updateProgress("j1", progress, true);
      expect((await repo.jobs.get("j1"))?.progress_json).toBeNull();
      await repo.jobs.start("j1", "2026-01-01T00:00:01.000Z");
      await repo.jobs.updateProgress("j1", progress, true);
      await repo.jobs.updateProgress("j1", progress, false);
      expect(await repo.jobs.get("j1")).toMatchObject({ preview_version: 1, progress_json: JSON.stringify(progress) });
      expect(await repo.jobs.finish("j1", "cancelled", "2026-01-01T00:00:02.000Z", "Cancelled.", false)).toBe(true);
      expect(await repo.jobs.finish("j1", "succeeded", "2026-01-01T00:00:03.000Z", null, true)).toBe(false);
      expect(await repo.jobs.get("j1")).toMatchObject({ status: "cancelled", preview_version: 0, has_result: 0, error: "Cancelled." });
    });

    it("claims a queued or abandoned running job for a new run; only the latest run may end it", async () => {
      await fresh();
      await repo.jobs.insert(job("j1", "alice"));
      const first = (await repo.jobs.claim("j1", "2026-01-01T00:00:01.000Z"))!;
      expect(first).toMatchObject({ status: "running", attempts: 1 });
      const second = (await repo.jobs.claim("j1", "2026-01-01T00:00:02.000Z"))!;
      expect(second.attempts).toBe(2);
      expect(await repo.jobs.finish("j1", "succeeded", "t", null, true, first.attempts)).toBe(false);
      expect(await repo.jobs.finish("j1", "succeeded", "t", null, true, second.attempts)).toBe(true);
      expect(await repo.jobs.claim("j1", "t")).toBeUndefined();
      await repo.jobs.insert(job("j2", "alice"));
      await repo.jobs.markDeleting("j2");
      expect(await repo.jobs.claim("j2", "t")).toBeUndefined();
    });

    it("re-queues interrupted jobs a bounded number of times, then fails them with the reason", async () => {
      await fresh();
      await repo.jobs.insert(job("j1", "alice"));
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        await repo.jobs.claimNext("fast", "t");
        const outcome = await repo.jobs.recoverInterrupted("2026-01-02T00:00:00.000Z");
        expect(outcome).toEqual(i + 1 < MAX_ATTEMPTS ? { requeued: ["j1"], failed: [] } : { requeued: [], failed: ["j1"] });
      }
      expect(await repo.jobs.get("j1")).toMatchObject({ status: "failed", error: RESTART_FAILURE });
    });

    it("shows a visitor its own uploads and the example styles, nothing else; counts the jobs using one", async () => {
      await fresh();
      await repo.uploads.insert(upload("ex", null, { role: "style", example_key: "wave.jpg" }));
      await repo.uploads.insert(upload("b1", "bob"));
      expect((await repo.uploads.visible("c1", "alice"))?.id).toBe("c1");
      expect((await repo.uploads.visible("ex", "alice"))?.id).toBe("ex");
      expect(await repo.uploads.visible("b1", "alice")).toBeUndefined();
      expect(await repo.uploads.own("ex", "alice")).toBeUndefined();
      expect((await repo.uploads.examples()).map((u) => u.id)).toEqual(["ex"]);
      expect((await repo.uploads.byExampleKey("wave.jpg"))?.id).toBe("ex");
      await repo.jobs.insert(job("j1", "alice", { styleIds: ["s1", "ex"] }));
      await repo.jobs.insert(job("j2", "alice", { styleIds: ["ex"] }));
      expect(await repo.uploads.usedBy("c1")).toBe(2);
      expect(await repo.uploads.usedBy("ex")).toBe(2);
      expect(await repo.uploads.usedBy("s1")).toBe(1);
      // An id that is a prefix of another is not a match.
      expect(await repo.uploads.usedBy("e")).toBe(0);
      await repo.jobs.markDeleting("j1");
      expect(await repo.uploads.usedBy("s1")).toBe(0);
      await repo.uploads.markDeleting("b1");
      expect(await repo.uploads.get("b1")).toMatchObject({ deleting: 1 });
    });

    it("retention: marks old ended jobs and then their unused uploads, purges rows, counts a visitor's bytes", async () => {
      await fresh();
      await repo.uploads.insert(upload("c2", "alice", { created_at: "2026-03-01T00:00:00.000Z" }));
      await repo.jobs.insert(job("old", "alice"));
      await repo.jobs.insert(job("running", "alice", { contentId: "c2", styleIds: [] }));
      await repo.jobs.start("old", "t");
      await repo.jobs.finish("old", "succeeded", "t", null, true);
      await repo.jobs.setDiskBytes("old", 1000);
      await repo.jobs.start("running", "t");
      expect(await repo.retention.usedBytes("alice")).toBe(150 * 3 + 1000);
      await repo.retention.markExpired("2026-02-01T00:00:00.000Z");
      expect(await repo.retention.markedJobIds()).toEqual(["old"]);
      // c1 and s1 were used only by the expired job; c2 is newer than the cutoff.
      expect((await repo.uploads.get("c1"))?.deleting).toBe(1);
      expect((await repo.uploads.get("c2"))?.deleting).toBe(0);
      expect(await repo.retention.usedBytes("alice")).toBe(150);
      // While the marked job's row exists its uploads are kept.
      expect(await repo.retention.purgeableUploadIds()).toEqual([]);
      await repo.retention.deleteMarkedJobs(["old"]);
      expect((await repo.retention.purgeableUploadIds()).sort()).toEqual(["c1", "s1"]);
      await repo.retention.deleteMarkedUploads(["c1", "s1"]);
      const owners = await repo.retention.fileOwners();
      expect(owners.uploads).toEqual(["c2"]);
      expect(owners.jobs).toEqual([{ id: "running", status: "running", has_result: 0 }]);
    });

    it("rolls a transaction back when it throws", async () => {
      await fresh();
      await expect(
        repo.transaction(async (tx) => {
          await tx.jobs.insert(job("j1", "alice"));
          throw new Error("no");
        }),
      ).rejects.toThrow("no");
      expect(await repo.jobs.get("j1")).toBeUndefined();
    });

    it("rate limits across two repositories on one database: concurrent attempts never overspend, a refused action costs nothing", async () => {
      await fresh();
      const other = await second();
      const a = new RateLimiter(repo, "job", 3);
      const b = new RateLimiter(other, "job", 3);
      await expect(a.attempt(["v:alice"], () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
      const decisions = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).attempt(["v:alice", "a:1.2.3.4"], () => Promise.resolve(i))));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
      const refused = decisions.find((d) => !d.allowed);
      expect(refused && !refused.allowed && refused.retryAfterMs).toBeGreaterThan(0);
      // Another visitor from the same address is refused too: the address bucket is empty.
      expect((await b.take(["v:bob", "a:1.2.3.4"])).allowed).toBe(false);
      expect((await b.take(["v:bob", "a:5.6.7.8"])).allowed).toBe(true);
    });
  });
}

const sqlite = sqliteBackend();
repositorySuite("SQLite", [], () => sqlite, {
  after: () => {
    sqlite.cleanup();
  },
});

let cluster: ThrowawayPostgres | undefined;
const postgres = postgresBackend(() => cluster!);
repositorySuite("PostgreSQL", [needs.postgres()], () => postgres, {
  before: async () => {
    cluster = await startThrowawayPostgres();
  },
  after: () => {
    cluster?.remove();
  },
});
