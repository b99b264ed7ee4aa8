/**
 * Times one case with tinybench: warm the subject up, then take `samples` samples, each one
 * full pass of the workload, checksumming every pass' results outside the timed part.
 */
import { Bench } from 'tinybench';
import { checksum, noopChecksum } from './checksum.js';
import { articleInputs } from './inputs.js';
import type { Subject } from './subject.js';
import { type MapTask, type Workload, WorkloadKind } from './workloads.js';

/** What one case measured. */
export interface Measurement {
  /** Each sample's duration in ms (one full pass each), ascending. */
  readonly samplesMs: readonly number[];
  /** tinybench's median of the samples, in ms. */
  readonly medianMs: number;
  /** Each sample's result checksum. */
  readonly checksums: readonly string[];
  /** Per-call latency over every sample, for the sequential round trip only. */
  readonly latencyMs?: { readonly p50: number; readonly p99: number };
}

/** Items of the warm-up `map` (JIT, connections, chunk sizes) before any sample. */
const WARM_ITEMS = 2_000;

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Runs one pass of `workload` and returns its results. */
type Pass = () => Promise<readonly unknown[]>;

function passOf(subject: Subject, workload: Workload, items: number, latencies: number[]): Pass {
  if (workload.kind === WorkloadKind.Map) {
    const inputs = articleInputs(items);
    return () => subject.map(workload.task as MapTask, inputs);
  }
  if (workload.kind === WorkloadKind.Sequential) {
    return async () => {
      const results = new Array<unknown>(items);
      for (let i = 0; i < items; i++) {
        const t0 = performance.now();
        results[i] = await subject.noop();
        latencies.push(performance.now() - t0);
      }
      return results;
    };
  }
  return () => Promise.all(Array.from({ length: items }, () => subject.noop()));
}

/** Warms `subject` up, then measures `samples` passes of `workload` over `items` items. */
export async function measure(
  subject: Subject,
  workload: Workload,
  items: number,
  samples: number,
  workers: number,
  onSample: (done: number) => void = () => {},
): Promise<Measurement> {
  await Promise.all(Array.from({ length: workers * 4 }, () => subject.noop()));
  if (workload.kind === WorkloadKind.Map) {
    await subject.map(workload.task as MapTask, articleInputs(Math.min(items, WARM_ITEMS), 1));
  }
  const latencies: number[] = [];
  const pass = passOf(subject, workload, items, latencies);
  const checksums: string[] = [];
  let last: readonly unknown[] = [];
  const bench = new Bench({
    iterations: samples,
    time: 0,
    warmup: false,
    throws: true,
    retainSamples: true,
  });
  bench.add(
    workload.id,
    async () => {
      last = await pass();
    },
    {
      afterEach() {
        checksums.push(
          workload.kind === WorkloadKind.Map ? checksum(last as bigint[]) : noopChecksum(last),
        );
        last = [];
        onSample(checksums.length);
      },
    },
  );
  const [task] = await bench.run();
  const result = task?.result;
  if (result?.state !== 'completed') {
    throw new Error(`tinybench did not complete the case (state: ${result?.state}).`);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    samplesMs: [...(result.latency.samples ?? [])],
    medianMs: result.latency.p50,
    checksums,
    latencyMs:
      workload.kind === WorkloadKind.Sequential
        ? { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
        : undefined,
  };
}
