/**
 * The one repository interface of the web app's state — jobs, uploads, rate-limit buckets — with
 * two implementations of the same code over Kysely: SQLite (embedded mode, sqlite.ts) and
 * PostgreSQL (cluster mode, postgres.ts). Asynchronous because PostgreSQL is; every method is one
 * statement (atomic on its own), `transaction` groups several.
 */
import type { JobMode, JobProgress, JobStatus } from "../../../shared/jobSchemas";
import type { JobRow, NewJob, RecoveryOutcome } from "./rows";
import type { Bucket, NewUpload, UploadRow } from "./rows";

export type Dialect = "sqlite" | "postgres";

export interface JobStore {
  insert(job: NewJob): Promise<void>;
  /** Any row, whoever owns it (server-side use only). */
  get(id: string): Promise<JobRow | undefined>;
  /** A job of this visitor; another visitor's, or one being deleted, is like an id never issued. */
  own(id: string, owner: string): Promise<JobRow | undefined>;
  /** A published result, by its share token. */
  shared(token: string): Promise<JobRow | undefined>;
  /** The visitor's jobs, newest first; `beforeSeq` is the cursor (exclusive). */
  list(owner: string, limit: number, beforeSeq: number | undefined): Promise<JobRow[]>;
  setShareToken(id: string, token: string | null): Promise<void>;
  setDiskBytes(id: string, bytes: number): Promise<void>;
  /** Hides the job at once; the sweeper removes its files, then the row. */
  markDeleting(id: string): Promise<void>;
  /** How many queued jobs of the same mode are ahead of this one. */
  queuePosition(row: Pick<JobRow, "mode" | "seq">): Promise<number>;
  /** The embedded queue: takes the oldest queued job of a mode and marks it running (FIFO per mode). */
  claimNext(mode: JobMode, now: string): Promise<JobRow | undefined>;
  /** Marks this queued job running (a queue library handed it to a worker); undefined if it is not queued any more. */
  start(id: string, now: string): Promise<JobRow | undefined>;
  /**
   * Cluster mode: marks the job running for a worker the queue library handed it to — a queued job,
   * or a running one whose previous worker the library gave up on (expired); `attempts` counts up
   * and is the new run's fencing token. Undefined when the job ended or is being deleted.
   */
  claim(id: string, now: string): Promise<JobRow | undefined>;
  updateProgress(id: string, progress: JobProgress, previewWritten: boolean): Promise<void>;
  /**
   * Ends a job that is not terminal yet; returns whether it changed. With `attempt`, only while that
   * run still owns the job (a run the queue gave up on cannot end it after its successor started).
   */
  finish(
    id: string,
    status: Extract<JobStatus, "succeeded" | "failed" | "cancelled">,
    now: string,
    error: string | null,
    hasResult: boolean,
    attempt?: number,
  ): Promise<boolean>;
  /** Embedded mode at start: re-queues 'running' rows (bounded by MAX_ATTEMPTS), fails the rest. */
  recoverInterrupted(now: string): Promise<RecoveryOutcome>;
}

export interface UploadStore {
  insert(row: NewUpload): Promise<void>;
  /** An upload the visitor may use and see: its own, or an example style. */
  visible(id: string, owner: string): Promise<UploadRow | undefined>;
  /** An upload the visitor owns (may delete). */
  own(id: string, owner: string): Promise<UploadRow | undefined>;
  get(id: string): Promise<UploadRow | undefined>;
  examples(): Promise<UploadRow[]>;
  byExampleKey(key: string): Promise<UploadRow | undefined>;
  /** How many jobs (not being deleted) use the upload as content or style. */
  usedBy(id: string): Promise<number>;
  markDeleting(id: string): Promise<void>;
}

export interface BucketStore {
  /** Inside a transaction: serialises transactions on these keys until it ends (PostgreSQL row-independent locks). */
  lock(keys: readonly string[]): Promise<void>;
  get(key: string): Promise<Bucket | undefined>;
  put(key: string, bucket: Bucket): Promise<void>;
  /** Forgets buckets of `prefix` untouched since `beforeMs`. */
  prune(prefix: string, beforeMs: number): Promise<void>;
}

/** What the sweeper reads and deletes (see storage/sweeper.ts for the order that keeps rows and files together). */
export interface RetentionStore {
  /** Marks ended jobs created before `cutoff`, then uploads as old that no remaining job uses (one transaction). */
  markExpired(cutoff: string): Promise<void>;
  markedJobIds(): Promise<string[]>;
  deleteMarkedJobs(ids: readonly string[]): Promise<void>;
  /** Marked uploads no job (marked or not) uses any more. */
  purgeableUploadIds(): Promise<string[]>;
  deleteMarkedUploads(ids: readonly string[]): Promise<void>;
  /** Every row that may own files, for the start-up reconciliation. */
  fileOwners(): Promise<{ uploads: string[]; jobs: Pick<JobRow, "id" | "status" | "has_result">[] }>;
  /** Bytes a visitor has stored: uploads with thumbnails, results and previews. */
  usedBytes(owner: string): Promise<number>;
}

export interface Repository {
  readonly dialect: Dialect;
  readonly jobs: JobStore;
  readonly uploads: UploadStore;
  readonly buckets: BucketStore;
  readonly retention: RetentionStore;
  /** Runs `fn` in one transaction (inside one already, `fn` joins it). */
  transaction<T>(fn: (tx: Repository) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
