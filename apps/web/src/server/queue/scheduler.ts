/**
 * What the web server asks of the queue, whichever runs it: the embedded JobQueue (worker processes
 * beside the server, the jobs table as the queue) or, in cluster mode, ClusterScheduler (pg-boss,
 * workers anywhere). The row in the repository is the truth in both.
 */
import type { JobMode, JobProgress } from "../../shared/jobSchemas";

export interface JobScheduler {
  /** The job's row was inserted: hand it to a worker of its lane (embedded: started now if a slot is free). */
  submit(id: string, mode: JobMode): Promise<void>;
  /**
   * Cancels a job: a queued one at once; a running one is marked cancelled at once and its worker
   * told to stop within an iteration. False when the job had already ended.
   */
  cancel(id: string): Promise<boolean>;
  /** Latest progress of a job running in this process, fresher than the row (cluster mode: none, the row is fresh enough). */
  liveProgress(id: string): JobProgress | undefined;
  /** The backend of the first local worker that reported one. */
  readonly backend: string | null;
  /** Whether a worker of this process is running the job right now. */
  isActive(id: string): boolean;
  /** Resolves when no job is queued or running here (tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}
