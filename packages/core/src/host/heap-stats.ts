/**
 * The host's record of how much each task grows its worker's heap (`stats().heapGrowth`), from
 * the growth each result carries when `trackHeap` is on: a task whose median growth per call
 * stays above zero keeps what it allocates (a leak, or a cache that never stops growing).
 */
import { medianOfSorted } from './percentiles.js';

/** Heap growth of one task, per call. */
export interface HeapGrowth {
  /** Median growth of the worker's heap over one call, in bytes (recent calls; can be < 0). */
  readonly medianBytes: number;
  /** Calls measured (a `map` chunk counts as its items). */
  readonly calls: number;
}

const RING = 512;
/** Most task names tracked (a module exports a bounded number of functions). */
const MAX_TASKS = 1_000;

class Ring {
  readonly values = new Float64Array(RING);
  samples = 0;
  calls = 0;
}

/** Collects heap growth per task name. */
export class HeapGrowthRecorder {
  private readonly byTask = new Map<string, Ring>();

  /** One job of `task` over `items` calls grew the heap by `bytes`. */
  record(task: string, items: number, bytes: number): void {
    let ring = this.byTask.get(task);
    if (!ring) {
      if (this.byTask.size >= MAX_TASKS) return;
      ring = new Ring();
      this.byTask.set(task, ring);
    }
    ring.values[ring.samples++ % RING] = bytes / Math.max(1, items);
    ring.calls += items;
  }

  /** Per task name, the median growth per call and the calls measured. */
  snapshot(): Readonly<Record<string, HeapGrowth>> {
    const out: Record<string, HeapGrowth> = {};
    for (const [task, ring] of this.byTask) {
      const n = Math.min(ring.samples, RING);
      const sorted = ring.values.slice(0, n).sort();
      out[task] = { medianBytes: medianOfSorted(sorted), calls: ring.calls };
    }
    return out;
  }
}
