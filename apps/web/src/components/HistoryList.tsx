"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/client/trpc";
import { errorMessage } from "@/client/format";
import { isTerminalStatus } from "@/shared/constants";
import { StatusBadge } from "./JobPanel";

const PAGE_SIZE = 12;

/** Uploaded images have a small variant; results are shown as they are (already output-sized). */
function thumbnail(url: string): string {
  return url.startsWith("/api/images/") ? `${url}${url.includes("?") ? "&" : "?"}thumb=1` : url;
}

interface Props {
  selectedId: string | null;
  onOpen: (id: string) => void;
}

/** Earlier jobs, newest first, from the server's database: it survives reloads and restarts. */
export function HistoryList({ selectedId, onOpen }: Props) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.jobs.list.infiniteQueryOptions(
      { limit: PAGE_SIZE },
      {
        getNextPageParam: (page) => page.nextCursor ?? undefined,
        // Jobs still moving change status without this page doing anything.
        refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((j) => !isTerminalStatus(j.status))) ? 5_000 : false),
      },
    ),
  );
  const jobs = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="panel history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {list.isError && (
        <p role="alert" className="alert">
          {errorMessage(list.error)}
        </p>
      )}
      {list.isSuccess && jobs.length === 0 && <p className="hint">No jobs yet: your results will be listed here.</p>}
      <ul data-testid="history-list">
        {jobs.map((job) => (
          <li key={job.id}>
            <button
              type="button"
              onClick={() => {
                onOpen(job.id);
              }}
              aria-current={job.id === selectedId ? "true" : undefined}
              aria-label={`Open ${job.mode} job from ${new Date(job.createdAt).toLocaleString()} (${job.status})`}
              data-testid="history-item"
              data-job-id={job.id}
              data-status={job.status}
            >
              <span className="pics">
                <img src={thumbnail(job.contentUrl)} alt="" />
                {job.styleUrls.slice(0, 1).map((url) => (
                  <img key={url} src={thumbnail(url)} alt="" />
                ))}
                {job.resultUrl !== null && <img src={job.resultUrl} alt="" />}
              </span>
              <span className="meta">
                <span>
                  {job.mode === "fast" ? "Fast" : "Quality"} · {new Date(job.createdAt).toLocaleTimeString()}
                </span>
                <StatusBadge status={job.status} />
              </span>
            </button>
          </li>
        ))}
      </ul>
      {list.hasNextPage && (
        <button
          type="button"
          className="button secondary more"
          onClick={() => {
            void list.fetchNextPage();
          }}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? "Loading…" : "Show older jobs"}
        </button>
      )}
    </section>
  );
}
