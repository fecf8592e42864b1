import type { LossTermsView } from "@/shared/jobSchemas";
import { formatLoss } from "@/client/format";

export interface LossPoint extends LossTermsView {
  iteration: number;
}

interface Props {
  points: readonly LossPoint[];
  /** The job's total iterations: the x axis never goes past them. */
  iterations: number;
}

const SERIES = ["total", "content", "style", "tv"] as const;
const W = 400;
const H = 170;
const PAD = { left: 44, right: 8, top: 8, bottom: 20 };

/**
 * Loss terms over the iterations on a log scale (they fall by orders of magnitude), as an inline SVG:
 * no chart library, nothing for the CSP to allow.
 */
export function LossChart({ points, iterations }: Props) {
  const values = points.flatMap((p) => SERIES.map((s) => p[s])).filter((v) => v > 0 && Number.isFinite(v));
  if (points.length < 2 || values.length === 0) {
    return (
      <p className="hint" data-testid="loss-chart-empty">
        The loss chart appears after a few iterations.
      </p>
    );
  }
  const lo = Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values))));
  // The axis runs a little ahead of the latest iteration rather than to the end of the run: early in
  // a long run the whole curve would otherwise be squeezed against the left edge.
  const lastIteration = points[points.length - 1]!.iteration;
  const xMax = Math.max(1, lastIteration, Math.min(iterations, Math.max(20, Math.ceil(lastIteration * 1.25))));
  const x = (i: number) => PAD.left + (i / xMax) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + ((hi - Math.log10(v)) / (hi - lo)) * (H - PAD.top - PAD.bottom);

  const path = (key: (typeof SERIES)[number]) =>
    points
      .filter((p) => p[key] > 0 && Number.isFinite(p[key]))
      .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.iteration).toFixed(1)},${y(p[key]).toFixed(1)}`)
      .join(" ");

  // A gridline per decade, at most five labels so they never overlap.
  const step = Math.max(1, Math.ceil((hi - lo) / 5));
  const decades: number[] = [];
  for (let d = lo; d <= hi; d += step) decades.push(d);
  const last = points[points.length - 1]!;

  return (
    <figure className="loss">
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Loss over ${last.iteration} iterations, total now ${formatLoss(last.total)}`}
        data-testid="loss-chart"
      >
        {decades.map((d) => (
          <g key={d}>
            <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={y(10 ** d)} y2={y(10 ** d)} />
            <text className="label" x={PAD.left - 4} y={y(10 ** d) + 3} textAnchor="end">
              1e{d}
            </text>
          </g>
        ))}
        <text className="label" x={PAD.left} y={H - 5}>
          0
        </text>
        <text className="label" x={W - PAD.right} y={H - 5} textAnchor="end">
          {xMax}
        </text>
        {SERIES.map((s) => (
          <path key={s} className={`line ${s}`} d={path(s)} />
        ))}
      </svg>
      <figcaption className="legend">
        {SERIES.map((s) => (
          <span key={s} className={s}>
            {s} {formatLoss(last[s])}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
