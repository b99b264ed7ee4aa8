/**
 * The catalog of workloads: what each one runs, how it is timed, and how it is named in tables,
 * verdicts and the chart.
 */

/** Tasks that `map` applies to every input (see `tasks.ts`). */
export type MapTask =
  | 'factorial'
  | 'factorialAfterTimer'
  | 'factorialAfterHttp'
  | 'factorialAfterFile';

/** How a workload's pass is shaped. */
export const WorkloadKind = Object.freeze({
  /** One `map` over all inputs. */
  Map: 'map',
  /** `run` of a no-op, one call after another: the round trip. */
  Sequential: 'sequential',
  /** `run` of a no-op, every call at once: throughput of the call path. */
  Burst: 'burst',
} as const);
/** One of {@link WorkloadKind}'s values. */
export type WorkloadKind = (typeof WorkloadKind)[keyof typeof WorkloadKind];

/** A workload of the bench. */
export interface Workload {
  readonly id: WorkloadId;
  /** Heading of its table. */
  readonly title: string;
  /** Short name in verdicts and the chart. */
  readonly label: string;
  readonly kind: WorkloadKind;
  readonly task: MapTask | 'noop';
  /** Whether it runs at every worker count (else at the largest only). */
  readonly sweepsWorkers: boolean;
}

/** Workload ids, in the order they run and print. */
export const WORKLOAD_IDS = [
  'cpu',
  'io-timer',
  'io-http',
  'io-file',
  'sequential',
  'burst',
] as const;
/** One of {@link WORKLOAD_IDS}. */
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** Names for several workloads at once in `--workload`. */
export const WORKLOAD_GROUPS: Readonly<Record<string, readonly WorkloadId[]>> = Object.freeze({
  all: WORKLOAD_IDS,
  io: ['io-timer', 'io-http', 'io-file'],
  overhead: ['sequential', 'burst'],
});

/**
 * What `--quick` runs when `--workload` is not given: the lesson in one look (CPU-bound versus
 * IO-bound) and the per-task cost, without the slower IO fixtures and the burst.
 */
export const QUICK_WORKLOADS: readonly WorkloadId[] = Object.freeze([
  'cpu',
  'io-timer',
  'sequential',
]);

/** Every workload by id. */
export const WORKLOADS: Readonly<Record<WorkloadId, Workload>> = Object.freeze({
  cpu: {
    id: 'cpu',
    title: 'CPU-bound: map(factorial) of random integers in 1..99',
    label: 'CPU-bound',
    kind: WorkloadKind.Map,
    task: 'factorial',
    sweepsWorkers: true,
  },
  'io-timer': {
    id: 'io-timer',
    title: 'IO-bound: map(factorial after a 10 ms timer)',
    label: 'IO-bound (10 ms timer)',
    kind: WorkloadKind.Map,
    task: 'factorialAfterTimer',
    sweepsWorkers: true,
  },
  'io-http': {
    id: 'io-http',
    title: 'IO-bound: map(factorial after an HTTP GET to a server on 127.0.0.1)',
    label: 'IO-bound (loopback HTTP)',
    kind: WorkloadKind.Map,
    task: 'factorialAfterHttp',
    sweepsWorkers: true,
  },
  'io-file': {
    id: 'io-file',
    title: 'IO-bound: map(factorial after reading a file)',
    label: 'IO-bound (file read)',
    kind: WorkloadKind.Map,
    task: 'factorialAfterFile',
    sweepsWorkers: true,
  },
  sequential: {
    id: 'sequential',
    title: 'Overhead: sequential run(noop) round trips',
    label: 'Round trip',
    kind: WorkloadKind.Sequential,
    task: 'noop',
    sweepsWorkers: false,
  },
  burst: {
    id: 'burst',
    title: 'Overhead: a burst of concurrent run(noop) calls',
    label: 'Burst',
    kind: WorkloadKind.Burst,
    task: 'noop',
    sweepsWorkers: false,
  },
});

/** Whether a workload's tasks wait on IO (chart panel, fixtures). */
export function isIoWorkload(id: WorkloadId): boolean {
  return id.startsWith('io-');
}
