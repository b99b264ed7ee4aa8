/**
 * A scripted transport for the scheduler's unit tests: no threads or processes; the test plays
 * each worker, reading what the host sent and answering with wire messages, step by step.
 */
import { createProgressWords } from '../../src/wire/progress-words.js';
import {
  BRAND,
  type HostMessage,
  Outcome,
  type WireJob,
  type WireResult,
  type WorkerMessage,
} from '../../src/wire/protocol.js';
import type {
  Transport,
  TransportExit,
  WorkerEvents,
  WorkerHandle,
} from '../../src/wire/transport.js';

/** A worker message without its brand (added on posting). */
type Unbranded<T> = T extends unknown ? Omit<T, 'mh'> : never;

/** One scripted worker. */
export class FakeWorker {
  readonly sent: HostMessage[] = [];
  readonly handle: WorkerHandle;
  terminated = false;
  private readonly events: WorkerEvents;

  constructor(events: WorkerEvents, id: number, progress: Int32Array | undefined) {
    this.events = events;
    this.handle = {
      id,
      progress,
      send: (message) => {
        this.sent.push(structuredClone(message));
      },
      terminate: () => {
        this.terminated = true;
      },
      ref: () => {},
      unref: () => {},
    };
  }

  /** Every job the host has sent this worker, in order. */
  jobs(): WireJob[] {
    return this.sent.flatMap((m) => (m.k === 'jobs' ? [...m.jobs] : []));
  }

  /** Ids of the jobs sent, in order. */
  jobIds(): number[] {
    return this.jobs().map((job) => job[0]);
  }

  /** Messages of one kind the host sent. */
  messages<K extends HostMessage['k']>(kind: K): Extract<HostMessage, { k: K }>[] {
    return this.sent.filter((m): m is Extract<HostMessage, { k: K }> => m.k === kind);
  }

  post(message: Unbranded<WorkerMessage>): void {
    this.events.message({ mh: BRAND, ...message });
  }

  ready(tasks: string[] = ['t']): void {
    this.post({ k: 'ready', tasks });
  }

  /** Answers job `id` with `value`, having held the thread for `blockMs`. */
  ok(id: number, value: unknown, blockMs = 0.01): WireResult {
    return [id, Outcome.Ok, value, blockMs, blockMs];
  }

  results(
    results: WireResult[],
    extra: Partial<Record<'started' | 'final' | 'given', unknown>> = {},
  ): void {
    this.post({ k: 'results', results, ...extra } as Unbranded<WorkerMessage>);
  }

  /** Stores how many jobs this worker has started (shared memory). */
  setStarted(n: number): void {
    if (this.handle.progress) Atomics.store(this.handle.progress, 0, n);
  }

  exit(exit: TransportExit): void {
    this.events.exit(exit);
  }
}

/** A transport whose workers are {@link FakeWorker}s. */
export class FakeTransport implements Transport {
  readonly name = 'fake';
  readonly canInterrupt = true;
  readonly workers: FakeWorker[] = [];
  private readonly shared: boolean;

  /** `shared`: workers share progress words with the host (threads) or not (processes). */
  constructor(shared: boolean) {
    this.shared = shared;
  }

  spawn(_init: unknown, events: WorkerEvents): WorkerHandle {
    const worker = new FakeWorker(
      events,
      this.workers.length + 1,
      this.shared ? createProgressWords() : undefined,
    );
    this.workers.push(worker);
    return worker.handle;
  }
}

/** Lets the scheduler's microtasks and immediates run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
