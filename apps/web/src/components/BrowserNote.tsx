"use client";

import type { ClientBackend } from "@/shared/constants";

/** Where the last Fast run went: this browser (with its backend and time), or the server and why. */
export type BrowserRun = { kind: "browser"; backend: ClientBackend; ms: number } | { kind: "fallback"; reason: string };

const BACKEND_NAMES: Record<ClientBackend, string> = { webgpu: "WebGPU", webgl: "WebGL", wasm: "WebAssembly" };

/** One line under the Run button: Fast runs on this device when the server allows it. */
export function BrowserNote({ run, enabled }: { run: BrowserRun | null; enabled: boolean | undefined }) {
  if (enabled === false) {
    return (
      <p className="hint" data-testid="browser-note" data-where="server">
        Fast jobs run on the server here.
      </p>
    );
  }
  if (run === null) {
    return (
      <p className="hint" data-testid="browser-note" data-where="pending">
        Fast runs in your browser when it can, else on the server.
      </p>
    );
  }
  if (run.kind === "fallback") {
    return (
      <p className="hint" role="status" data-testid="browser-note" data-where="fallback">
        Your browser could not run it ({run.reason}), so the server is running it instead.
      </p>
    );
  }
  return (
    <p className="hint" role="status" data-testid="browser-note" data-where="browser">
      Stylised in your browser with{" "}
      <span data-testid="client-backend" data-backend={run.backend}>
        {BACKEND_NAMES[run.backend]}
      </span>{" "}
      in{" "}
      <span data-testid="client-timing" data-ms={Math.round(run.ms)}>
        {run.ms < 1000 ? `${Math.round(run.ms)} ms` : `${(run.ms / 1000).toFixed(1)} s`}
      </span>
      ; the result is kept in your history.
    </p>
  );
}
