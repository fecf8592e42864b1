"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/client/trpc";
import { errorMessage } from "@/client/format";
import { isTerminalStatus } from "@/shared/constants";
import type { JobStatus, JobView } from "@/shared/jobSchemas";
import { JobProgress } from "./JobProgress";
import type { LossPoint } from "./LossChart";
import { ResultView } from "./ResultView";

const STATUS_TEXT: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function StatusBadge({ status, testId }: { status: JobStatus; testId?: string }) {
  return (
    <span className={`status ${status}`} data-testid={testId} data-status={status}>
      {STATUS_TEXT[status]}
    </span>
  );
}

/**
 * One job, live: the subscription pushes every change into the jobs.get cache entry, so this panel,
 * the history list and a reload all read the same state. Mount it with key={jobId}.
 */
export function JobPanel({ jobId, onDeleted }: { jobId: string; onDeleted: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [points, setPoints] = useState<LossPoint[]>([]);

  const jobQuery = useQuery(
    trpc.jobs.get.queryOptions(
      { id: jobId },
      {
        // A slow fallback in case the event stream drops; the subscription normally makes it moot.
        refetchInterval: (query) => (query.state.data && isTerminalStatus(query.state.data.status) ? false : 3_000),
      },
    ),
  );
  const job = jobQuery.data;
  const live = job !== undefined && !isTerminalStatus(job.status);

  useSubscription(
    trpc.jobs.onProgress.subscriptionOptions(
      { id: jobId },
      {
        enabled: live,
        onData: (event) => {
          const next: JobView = event.job;
          queryClient.setQueryData(trpc.jobs.get.queryKey({ id: jobId }), next);
          if (isTerminalStatus(next.status)) {
            // A finished job changes the history list (status, thumbnail), and the first job starts
            // the backend that system.info names.
            void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
            void queryClient.invalidateQueries(trpc.system.info.pathFilter());
          }
        },
      },
    ),
  );

  // The chart's history, from whichever source brought the job (stream or fallback poll); the server
  // keeps only the latest losses, so a page opened mid-run charts from that point on.
  const progress = job?.progress;
  useEffect(() => {
    if (!progress?.losses) return;
    const { iteration, losses } = progress;
    setPoints((ps) => (ps.length > 0 && ps[ps.length - 1]!.iteration >= iteration ? ps : [...ps, { iteration, ...losses }]));
  }, [progress]);

  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSuccess: (cancelled) => {
        queryClient.setQueryData(trpc.jobs.get.queryKey({ id: jobId }), cancelled);
        void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
      },
    }),
  );

  const setJob = (next: JobView) => {
    queryClient.setQueryData(trpc.jobs.get.queryKey({ id: jobId }), next);
  };
  const publish = useMutation(trpc.jobs.publish.mutationOptions({ onSuccess: setJob }));
  const unpublish = useMutation(trpc.jobs.unpublish.mutationOptions({ onSuccess: setJob }));
  const remove = useMutation(
    trpc.jobs.delete.mutationOptions({
      onSuccess: () => {
        queryClient.removeQueries(trpc.jobs.get.queryFilter({ id: jobId }));
        void queryClient.invalidateQueries(trpc.jobs.list.pathFilter());
        void queryClient.invalidateQueries(trpc.system.info.pathFilter());
        onDeleted();
      },
    }),
  );
  const actionError = [cancel, publish, unpublish, remove].find((m) => m.isError)?.error;

  if (jobQuery.isError) {
    return (
      <p role="alert" className="alert">
        {errorMessage(jobQuery.error)}
      </p>
    );
  }
  if (job === undefined) return <p className="hint">Loading the job…</p>;

  return (
    <div className="stack" data-testid="job-panel" data-job-id={job.id}>
      {/* Announced to screen readers when the status changes, not on every iteration. */}
      <div className="actions" role="status">
        <h2>{job.mode === "fast" ? "Fast" : "Quality"} job</h2>
        <StatusBadge status={job.status} testId="job-status" />
      </div>
      {job.progress?.browserBackend !== undefined && (
        <p className="hint" data-testid="job-made-in-browser" data-backend={job.progress.browserBackend}>
          Made in your browser ({job.progress.browserBackend}, {Math.round(job.progress.elapsedMs)} ms).
        </p>
      )}
      {actionError && (
        <p role="alert" className="alert">
          {errorMessage(actionError)}
        </p>
      )}
      {job.status === "failed" && (
        <p role="alert" className="alert" data-testid="job-error">
          {job.error ?? "The job failed."}
        </p>
      )}
      {job.status === "cancelled" && (
        <p className="hint" data-testid="job-cancelled">
          {job.error ?? "This job was cancelled."}
        </p>
      )}
      <ResultView job={job}>
        {live ? (
          <JobProgress
            job={job}
            points={points}
            onCancel={() => {
              cancel.mutate({ id: jobId });
            }}
            cancelling={cancel.isPending}
          />
        ) : job.status !== "succeeded" && job.previewUrl !== null ? (
          <figure className="preview">
            <img src={job.previewUrl} alt="Last intermediate image" data-testid="preview-image" />
            <figcaption>Last intermediate image (iteration {job.progress?.iteration ?? 0})</figcaption>
          </figure>
        ) : undefined}
      </ResultView>
      {!live && (
        <div className="actions" data-testid="job-actions">
          {job.resultUrl !== null &&
            (job.sharedUrl === null ? (
              <button
                type="button"
                className="button secondary"
                onClick={() => {
                  publish.mutate({ id: jobId });
                }}
                disabled={publish.isPending}
                data-testid="publish-button"
              >
                Publish a read-only link
              </button>
            ) : (
              <>
                <a href={job.sharedUrl} data-testid="shared-link">
                  Published link
                </a>
                <button
                  type="button"
                  className="button secondary"
                  onClick={() => {
                    unpublish.mutate({ id: jobId });
                  }}
                  disabled={unpublish.isPending}
                >
                  Withdraw the link
                </button>
              </>
            ))}
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              remove.mutate({ id: jobId });
            }}
            disabled={remove.isPending}
            data-testid="delete-button"
          >
            Delete this job
          </button>
        </div>
      )}
    </div>
  );
}
