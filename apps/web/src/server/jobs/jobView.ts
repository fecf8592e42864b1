import type { JobOptions, JobProgress, JobView } from "../../shared/jobSchemas";
import type { JobStore } from "../db/repository/repository";
import type { JobRow } from "../db/repository/rows";
import { imageUrl } from "../storage/uploads";

export function sharedResultUrl(token: string): string {
  return `/api/shared/${token}`;
}

/** A row as the API shows it; `live` is the running job's freshest progress (see JobQueue). */
export async function jobView(row: JobRow, jobs: JobStore, live: JobProgress | undefined): Promise<JobView> {
  const progress = live ?? (row.progress_json !== null ? (JSON.parse(row.progress_json) as JobProgress) : null);
  const base = `/api/jobs/${row.id}`;
  return {
    id: row.id,
    mode: row.mode,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    options: JSON.parse(row.options_json) as JobOptions,
    contentUrl: imageUrl(row.content_id),
    styleUrls: (JSON.parse(row.style_ids_json) as string[]).map(imageUrl),
    progress,
    // The version in the URL changes with each new preview, so the browser refetches it.
    previewUrl: row.preview_version > 0 ? `${base}/preview?v=${row.preview_version}` : null,
    resultUrl: row.has_result ? `${base}/result` : null,
    downloadUrl: row.has_result ? `${base}/result?download=1` : null,
    queuePosition: row.status === "queued" ? await jobs.queuePosition(row) : null,
    sharedUrl: row.share_token !== null && row.has_result ? sharedResultUrl(row.share_token) : null,
  };
}
