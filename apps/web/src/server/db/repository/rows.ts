/** The rows of the web app's tables (migrations/ and migrations/postgres/ make the same columns), as the repository returns them. */
import type { ImageRole, JobMode, JobOptions, JobStatus, UploadFormat } from "../../../shared/jobSchemas";

export interface JobRow {
  seq: number;
  id: string;
  mode: JobMode;
  status: JobStatus;
  options_json: string;
  content_id: string;
  style_ids_json: string;
  client: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  attempts: number;
  progress_json: string | null;
  preview_version: number;
  has_result: number;
  /** The visitor's owner key (see visitor.ts); null for jobs from before visitors existed. */
  owner: string | null;
  disk_bytes: number;
  deleting: number;
  share_token: string | null;
}

export interface NewJob {
  id: string;
  mode: JobMode;
  options: JobOptions;
  contentId: string;
  styleIds: readonly string[];
  client: string;
  owner: string;
  createdAt: string;
}

/** What happened to a job found 'running' when the server started. */
export interface RecoveryOutcome {
  requeued: string[];
  failed: string[];
}

/** A job interrupted by a restart is re-queued this many times at most, then marked failed. */
export const MAX_ATTEMPTS = 2;

export const RESTART_FAILURE = "The server restarted during this job twice, so it was stopped; please submit it again.";

export interface UploadRow {
  id: string;
  role: ImageRole;
  format: UploadFormat;
  width: number;
  height: number;
  /** Size of the stored (re-encoded) image file. */
  bytes: number;
  example_key: string | null;
  created_at: string;
  /** The visitor's owner key (see visitor.ts); null for example styles. */
  owner: string | null;
  /** The image file plus its thumbnail, for the quota. */
  disk_bytes: number;
  deleting: number;
}

export type NewUpload = Omit<UploadRow, "deleting">;

/** A token bucket of the rate limits (limits/rateLimit.ts), a row of rate_buckets. */
export interface Bucket {
  tokens: number;
  updated_ms: number;
}
