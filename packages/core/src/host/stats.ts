/**
 * Counters and latency percentiles for `executor.stats()`. Samples live in fixed-size rings,
 * so recording is O(1) and memory stays constant however many tasks run.
 */

import { type HeapGrowth, HeapGrowthRecorder } from './heap-stats.js';
import { percentileOfSorted } from './percentiles.js';

/** Percentiles of a latency, in milliseconds. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** A snapshot returned by `executor.stats()`. */
export interface ExecutorStats {
  /** Tasks (a `map` chunk counts as its items) that resolved. */
  readonly completed: number;
  /** Tasks that rejected, for any reason. */
  readonly failed: number;
  /** Jobs waiting for a worker. */
  readonly queued: number;
  /** Jobs handed to workers and not yet settled. */
  readonly running: number;
  /** Workers alive now. */
  readonly workers: number;
  /** Time from submission until a worker took the job (recent samples). */
  readonly waitTime: LatencySummary;
  /** Time a worker spent on one task (recent samples; a chunk's time divided by its items). */
  readonly runTime: LatencySummary;
  /** Share of worker lifetime spent running tasks (their synchronous, CPU-holding part), 0..1. */
  readonly utilization: number;
  /**
   * Per task name, the median growth of the worker's heap per call (with `trackHeap`, on by
   * default with `recycleAtMemoryMb`; empty otherwise, and on the BullMQ backend): the task
   * with a median well above zero is the one that keeps memory.
   */
  readonly heapGrowth: Readonly<Record<string, HeapGrowth>>;
  /** Workers replaced because their heap passed `recycleAtMemoryMb`. */
  readonly memoryRecycles: number;
}

const RING = 4096;

/** A ring of the most recent samples. */
class SampleRing {
  private readonly values = new Float64Array(RING);
  private count = 0;

  add(value: number): void {
    this.values[this.count++ % RING] = value;
  }

  summary(): LatencySummary {
    const n = Math.min(this.count, RING);
    if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    const sorted = this.values.slice(0, n).sort();
    const at = (q: number): number => percentileOfSorted(sorted, q);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i] as number;
    return {
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: sorted[n - 1] as number,
      mean: sum / n,
    };
  }
}

/** Collects what `stats()` reports. */
export class StatsRecorder {
  completed = 0;
  failed = 0;
  private readonly wait = new SampleRing();
  private readonly run = new SampleRing();
  private busyMs = 0;
  private workerMs = 0;
  /** Heap growth per task (see {@link ExecutorStats.heapGrowth}). */
  readonly heap = new HeapGrowthRecorder();
  /** Workers replaced for their heap. */
  memoryRecycles = 0;

  recordWait(ms: number): void {
    this.wait.add(ms);
  }

  /** One job done in a worker: `items` tasks that took `runMs` (`blockMs` of it on the CPU). */
  recordRun(items: number, runMs: number, blockMs: number): void {
    this.run.add(runMs / items);
    this.busyMs += blockMs;
  }

  /** A worker's lifetime ended (or is sampled): adds to the time workers were available. */
  addWorkerTime(ms: number): void {
    this.workerMs += ms;
  }

  snapshot(live: {
    queued: number;
    running: number;
    workers: number;
    liveWorkerMs: number;
  }): ExecutorStats {
    const available = this.workerMs + live.liveWorkerMs;
    return {
      completed: this.completed,
      failed: this.failed,
      queued: live.queued,
      running: live.running,
      workers: live.workers,
      waitTime: this.wait.summary(),
      runTime: this.run.summary(),
      utilization: available > 0 ? Math.min(1, this.busyMs / available) : 0,
      heapGrowth: this.heap.snapshot(),
      memoryRecycles: this.memoryRecycles,
    };
  }
}
