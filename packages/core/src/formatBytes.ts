/**
 * A byte count for messages, in powers of 1024 as the CLI's `--max-memory 6GB` reads them:
 * "512 bytes", "195 KB", "3.5 MB", "100 MB", "6.0 GB". The one formatter of CLI, web and core.
 */
export function formatBytes(bytes: number): string {
  const KB = 1024;
  const MB = KB * 1024;
  const GB = MB * 1024;
  if (bytes < KB) return `${bytes} bytes`;
  if (bytes < MB) return `${Math.round(bytes / KB)} KB`;
  if (bytes < GB) return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
  return `${(bytes / GB).toFixed(1)} GB`;
}
