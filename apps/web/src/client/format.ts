/** "0:42", "12:05", "1:02:03": compact enough for a live counter that updates every iteration. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export { formatBytes } from "@pastiche/core/light";

/** Loss values span many orders of magnitude: show three significant digits, exponent when needed. */
export function formatLoss(value: number): string {
  if (value === 0) return "0";
  const abs = Math.abs(value);
  return abs >= 1e5 || abs < 1e-2 ? value.toExponential(2) : value.toPrecision(3);
}

/** A thrown value's message, for errors that reach the UI from tRPC, fetch or the browser. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong; please try again.";
}
