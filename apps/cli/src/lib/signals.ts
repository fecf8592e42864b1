/**
 * Stopping a run from outside: Ctrl-C (SIGINT), `timeout`/systemd/`docker stop` (SIGTERM) and a closed
 * terminal (SIGHUP) all abort it the same way, so the partial result is written; the exit code is
 * then the shell's 128 + signal number, as if the signal had killed the process.
 */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

export class StopOnSignals {
  readonly controller = new AbortController();
  private received: StopSignal | undefined;
  private readonly handlers = new Map<StopSignal, () => void>();

  constructor() {
    for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) {
      const handler = () => {
        // A second signal while the partial result is being written: the user means it, stop now.
        if (this.received !== undefined) process.exit(STOP_SIGNALS[signal]);
        this.received = signal;
        this.controller.abort();
      };
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 130, 143 or 129 for the first signal received (130 if aborted otherwise). */
  get exitCode(): number {
    return STOP_SIGNALS[this.received ?? "SIGINT"];
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
  }
}
