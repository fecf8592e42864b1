import type { ReactNode } from "react";
import type { JobView } from "@/shared/jobSchemas";

/** The job's inputs beside its output; the output is the result, or whatever stands in for it. */
export function ResultView({ job, children }: { job: JobView; children?: ReactNode }) {
  return (
    <div className="compare">
      <div className="inputs">
        <figure>
          <img src={job.contentUrl} alt="Content image" data-testid="job-content-image" />
          <figcaption>Content</figcaption>
        </figure>
        <figure>
          <div className="styles">
            {job.styleUrls.map((url, i) => (
              <img key={url} src={url} alt={`Style image ${i + 1}`} />
            ))}
          </div>
          <figcaption>Style{job.styleUrls.length > 1 ? "s" : ""}</figcaption>
        </figure>
      </div>
      <div className="result">
        {children ??
          (job.resultUrl !== null && (
            <figure>
              <img src={job.resultUrl} alt="Stylised result" data-testid="result-image" />
              <div className="actions">
                {job.downloadUrl !== null && (
                  // download: the server also sends Content-Disposition: attachment for this URL.
                  <a className="button" href={job.downloadUrl} download data-testid="download-link">
                    Download PNG
                  </a>
                )}
                <span className="hint">
                  {job.mode === "fast" ? "Fast" : "Quality"} · {sizeOf(job)} px
                  {job.startedAt !== null && job.finishedAt !== null
                    ? ` · ${((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000).toFixed(1)} s`
                    : ""}
                </span>
              </div>
            </figure>
          ))}
      </div>
    </div>
  );
}

function sizeOf(job: JobView): number | string {
  return job.options.size ?? "original";
}
