/** The tables as Kysely sees them: the same columns in SQLite and PostgreSQL (see migrations/). */
import type { Generated, Insertable } from "kysely";
import type { JobRow } from "./rows";
import type { UploadRow } from "./rows";

type Defaulted<Row, K extends keyof Row> = Omit<Row, K> & { [P in K]: Generated<Row[P]> };

export type JobsTable = Defaulted<
  JobRow,
  "seq" | "attempts" | "preview_version" | "has_result" | "disk_bytes" | "deleting" | "started_at" | "finished_at" | "error" | "progress_json" | "share_token"
>;
export type UploadsTable = Defaulted<UploadRow, "disk_bytes" | "deleting">;

export interface RateBucketsTable {
  key: string;
  tokens: number;
  updated_ms: number;
}

export interface Tables {
  jobs: JobsTable;
  uploads: UploadsTable;
  rate_buckets: RateBucketsTable;
}

export type InsertableJob = Insertable<JobsTable>;
