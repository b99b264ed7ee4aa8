/**
 * Which cases a run measures, in order: per workload, each backend at each worker count (the
 * article's "Processes: 1..4" loop), then the peers and Python if asked for.
 */
import { PEER_NAMES, PeerMode, peerModuleUrl } from './peers/peer.js';
import type { RegisteredBackend } from './registry.js';
import type { Sizes } from './sizes.js';
import { isIoWorkload, WORKLOADS, type WorkloadId, WorkloadKind } from './workloads.js';

/** What runs a case. */
export type SubjectRef =
  | { readonly kind: 'backend'; readonly name: string; readonly moduleUrl: string }
  | {
      readonly kind: 'peer';
      readonly name: string;
      readonly moduleUrl: string;
      readonly mode: PeerMode;
    }
  | { readonly kind: 'python'; readonly name: 'python' };

/** One case: a workload run by one subject with one worker count. */
export interface CaseSpec {
  /** Unique within a run, e.g. `cpu/worker-threads/2`. */
  readonly id: string;
  readonly workload: WorkloadId;
  readonly subject: SubjectRef;
  /** The name shown in tables, e.g. `piscina, 1 task/item`. */
  readonly label: string;
  readonly workers: number;
  readonly items: number;
  /** Measured samples the case takes at least (after its warm-up pass). */
  readonly samples: number;
  /**
   * Most samples it takes: backends take extra ones when their verdict is undecided; peers and
   * Python, there for comparison, take {@link samples} only.
   */
  readonly maxSamples: number;
}

/** What to plan for. */
export interface PlanInput {
  readonly workloads: readonly WorkloadId[];
  readonly workers: readonly number[];
  readonly sizes: Sizes;
  readonly backends: readonly RegisteredBackend[];
  readonly peers: boolean;
  readonly python: boolean;
}

function peerLabel(name: string, mode: PeerMode, workload: WorkloadId): string {
  if (WORKLOADS[workload].kind !== WorkloadKind.Map) return name;
  return mode === PeerMode.PerItem ? `${name}, 1 task/item` : `${name}, chunks of 1000`;
}

/** Lists the cases of a run. */
export function planCases(input: PlanInput): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const largest = Math.max(...input.workers);
  const { sizes } = input;
  for (const workload of input.workloads) {
    const spec = WORKLOADS[workload];
    const counts = spec.sweepsWorkers ? input.workers : [largest];
    const items = sizes.items[workload];
    const add = (subject: SubjectRef, label: string, workers: number, count = items): void => {
      const mode = subject.kind === 'peer' ? `/${subject.mode}` : '';
      const samples =
        subject.kind === 'peer'
          ? Math.min(sizes.samples[workload], sizes.peerSamples[workload])
          : sizes.samples[workload];
      cases.push({
        id: `${workload}/${subject.name}${mode}/${workers}`,
        workload,
        subject,
        label,
        workers,
        items: count,
        samples,
        maxSamples:
          subject.kind === 'backend' ? Math.max(samples, sizes.maxSamples[workload]) : samples,
      });
    };
    for (const { entry, moduleUrl } of input.backends) {
      const subject: SubjectRef = { kind: 'backend', name: entry.name, moduleUrl };
      for (const workers of entry.parallel ? counts : [1]) add(subject, entry.name, workers);
    }
    if (input.peers) {
      // Peers sweep worker counts on the CPU-bound workload only, to keep `--peers` short.
      const peerCounts = workload === 'cpu' ? counts : [largest];
      const modes = spec.kind === WorkloadKind.Map ? Object.values(PeerMode) : [PeerMode.PerItem];
      const perItemCap = isIoWorkload(workload) ? sizes.perItemCap.io : sizes.perItemCap.cpu;
      for (const name of PEER_NAMES) {
        for (const mode of modes) {
          const subject: SubjectRef = { kind: 'peer', name, moduleUrl: peerModuleUrl(name), mode };
          const count =
            spec.kind === WorkloadKind.Map && mode === PeerMode.PerItem
              ? Math.min(items, perItemCap)
              : items;
          for (const workers of peerCounts) {
            add(subject, peerLabel(name, mode, workload), workers, count);
          }
        }
      }
    }
    if (input.python && workload === 'cpu') {
      for (const workers of counts) {
        add({ kind: 'python', name: 'python' }, 'python multiprocessing.Pool', workers);
      }
    }
  }
  return cases;
}
