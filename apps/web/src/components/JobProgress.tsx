import type { JobView } from "@/shared/jobSchemas";
import { formatDuration } from "@/client/format";
import { LossChart, type LossPoint } from "./LossChart";

interface Props {
  job: JobView;
  /** Loss terms seen since this page started watching the job. */
  points: readonly LossPoint[];
  onCancel: () => void;
  cancelling: boolean;
}

/** A queued or running job: counters, loss chart, the latest intermediate image and Cancel. */
export function JobProgress({ job, points, onCancel, cancelling }: Props) {
  const p = job.progress;
  const iteration = p?.iteration ?? 0;
  const iterations = p?.iterations ?? 0;
  return (
    <div className="progress" data-testid="job-progress">
      {job.status === "queued" ? (
        <p data-testid="queue-position">
          Waiting in the queue
          {job.queuePosition !== null && job.queuePosition > 0 ? `: ${job.queuePosition} job${job.queuePosition === 1 ? "" : "s"} ahead` : ": next to run"}.
        </p>
      ) : (
        <>
          <progress max={Math.max(iterations, 1)} value={iteration} aria-label="Progress" />
          <dl className="stats">
            <div>
              <dt>Iteration</dt>
              <dd data-testid="progress-iteration">
                {iteration} / {iterations}
              </dd>
            </div>
            <div>
              <dt>Elapsed</dt>
              <dd data-testid="progress-elapsed">{formatDuration(p?.elapsedMs ?? 0)}</dd>
            </div>
            <div>
              <dt>Remaining</dt>
              <dd data-testid="progress-eta">{p?.etaMs == null ? "estimating…" : formatDuration(p.etaMs)}</dd>
            </div>
          </dl>
        </>
      )}

      {job.mode === "quality" && job.status === "running" && (
        <div className="progress-body">
          <div className="preview">
            {job.previewUrl !== null ? (
              // The server versions this URL per preview, so a new image means a new URL.
              <img src={job.previewUrl} alt={`Intermediate result at iteration ${iteration}`} data-testid="preview-image" />
            ) : (
              <p className="hint">The intermediate image appears after the first few iterations.</p>
            )}
          </div>
          <LossChart points={points} iterations={iterations} />
        </div>
      )}

      <div className="actions">
        <button type="button" className="button danger" onClick={onCancel} disabled={cancelling} data-testid="cancel-button">
          {cancelling ? "Cancelling…" : "Cancel"}
        </button>
      </div>
    </div>
  );
}
