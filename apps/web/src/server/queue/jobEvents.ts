/**
 * In-process notifications that a job changed (status, progress, preview), for subscriptions. They
 * carry no data: listeners read the job's current state, so a slow subscriber that misses several
 * notifications still gets the latest state.
 */
import { EventEmitter } from "node:events";
import type { JobMode } from "../../shared/jobSchemas";

export class JobEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open subscription; there is no fixed bound.
    this.emitter.setMaxListeners(0);
  }

  /** The job changed. */
  jobChanged(id: string): void {
    this.emitter.emit(`job:${id}`);
  }

  /** A lane's queue moved (a job started or left it), so every queued job's position may have changed. */
  laneChanged(mode: JobMode): void {
    this.emitter.emit(`lane:${mode}`);
  }

  /** Every job may have changed (cluster mode: the notification channel was lost for a while). */
  everythingChanged(): void {
    for (const name of this.emitter.eventNames()) this.emitter.emit(name);
  }

  /**
   * Resolves-per-change stream for a job (and its lane): yields once for every burst of changes,
   * until `signal` aborts. Listening starts at the call, so nothing between a read and the first
   * wait is missed.
   */
  changes(id: string, mode: JobMode, signal: AbortSignal): AsyncIterableIterator<void> {
    const keys = [`job:${id}`, `lane:${mode}`];
    let pending = false;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      pending = true;
      wake?.();
    };
    for (const key of keys) this.emitter.on(key, notify);
    const stop = (): void => {
      for (const key of keys) this.emitter.off(key, notify);
      wake?.();
    };
    signal.addEventListener("abort", stop, { once: true });
    const next = async (): Promise<IteratorResult<void>> => {
      while (!pending && !signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (signal.aborted) return { done: true, value: undefined };
      pending = false;
      return { done: false, value: undefined };
    };
    const iterator: AsyncIterableIterator<void> = {
      next,
      return: () => {
        stop();
        signal.removeEventListener("abort", stop);
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
