/**
 * Style bottlenecks already predicted, by key (model id, style size, image hash), least recently
 * used first out. Values are plain Float32Arrays, not tensors: nothing to dispose, nothing leaked.
 */
export class BottleneckCache {
  private readonly entries = new Map<string, Float32Array>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 64) {}

  /** The bottleneck stored under `key` (now the most recently used), or undefined. */
  get(key: string): Float32Array | undefined {
    const v = this.entries.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert: Map keeps insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  /** Store a bottleneck, dropping the least recently used one past `capacity`. */
  set(key: string, value: Float32Array): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Forget every bottleneck. */
  clear(): void {
    this.entries.clear();
  }
}
