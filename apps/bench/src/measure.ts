/**
 * Times one case: warm the subject up (start-up costs: JIT, connections, chunk sizes), then
 * take samples one at a time when asked, each one full pass of the workload, checksumming
 * every pass' results outside the timed part.
 */

import { percentileOfSorted } from '@manyhands/core';
import { checksum, noopChecksum } from './checksum.js';
import { articleInputs } from './inputs.js';
import { median } from './interval.js';
import type { Subject } from './subject.js';
import { type MapTask, type Workload, WorkloadKind } from './workloads.js';

/** What one case measured. */
export interface Measurement {
  /** Each sample's duration in ms (one full pass each), in the order taken. */
  readonly samplesMs: readonly number[];
  /** The median of the samples, in ms. */
  readonly medianMs: number;
  /** Each sample's result checksum. */
  readonly checksums: readonly string[];
  /** Per-call latency over every sample, for the sequential round trip only. */
  readonly latencyMs?: { readonly p50: number; readonly p99: number };
}

/** One timed pass. */
export interface PassSample {
  readonly ms: number;
  readonly checksum: string;
}

/** A warmed-up case that takes one sample per call. */
export interface CaseSampler {
  /** Runs one full pass, timed, and checksums its results (not timed). */
  sample(): Promise<PassSample>;
  /** Per-call latency over every sample so far (sequential round trips only). */
  latency(): { readonly p50: number; readonly p99: number } | undefined;
}

/** Items of the warm-up `map` (JIT, connections, chunk sizes) before any sample. */
const WARM_ITEMS = 2_000;

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

/** Warms `subject` up (a few no-ops per worker, a short `map`) and returns its sampler. */
export async function prepareCase(
  subject: Subject,
  workload: Workload,
  items: number,
  workers: number,
): Promise<CaseSampler> {
  await Promise.all(Array.from({ length: workers * 4 }, () => subject.noop()));
  if (workload.kind === WorkloadKind.Map) {
    await subject.map(workload.task as MapTask, articleInputs(Math.min(items, WARM_ITEMS), 1));
  }
  const latencies: number[] = [];
  const pass = passOf(subject, workload, items, latencies);
  return {
    async sample() {
      const t0 = performance.now();
      const results = await pass();
      const ms = performance.now() - t0;
      return {
        ms,
        checksum:
          workload.kind === WorkloadKind.Map
            ? checksum(results as bigint[])
            : noopChecksum(results),
      };
    },
    latency() {
      if (workload.kind !== WorkloadKind.Sequential || latencies.length === 0) return undefined;
      const sorted = Float64Array.from(latencies).sort();
      return { p50: percentileOfSorted(sorted, 0.5), p99: percentileOfSorted(sorted, 0.99) };
    },
  };
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
  const sampler = await prepareCase(subject, workload, items, workers);
  const samplesMs: number[] = [];
  const checksums: string[] = [];
  for (let i = 0; i < samples; i++) {
    const taken = await sampler.sample();
    samplesMs.push(taken.ms);
    checksums.push(taken.checksum);
    onSample(i + 1);
  }
  const latencyMs = sampler.latency();
  return {
    samplesMs,
    medianMs: median(samplesMs),
    checksums,
    ...(latencyMs ? { latencyMs } : {}),
  };
}
