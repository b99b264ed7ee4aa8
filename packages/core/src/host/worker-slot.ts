/**
 * One worker as the scheduler keeps it: its transport handle, the jobs it holds, the batch
 * being gathered for it, its timers, and what it has told the host about how far it got.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { ModuleLoadError, WorkerStartError } from '../wire/errors.js';
import { HOLE_HI, HOLE_LO, STARTED } from '../wire/progress-words.js';
import type { WireJob } from '../wire/protocol.js';
import type { WorkerHandle } from '../wire/transport.js';

/** What a slot needs of a job it holds. */
export interface HeldJob {
  readonly id: number;
  /** Whether it is a `map` chunk that still needs the worker's thread. */
  chunk: boolean;
  /** Estimated blocking cost, ms; 0 once the job awaits IO. */
  cost: number;
  /** 1-based position among the jobs sent to this slot's worker. */
  seq: number;
}

/** Positions `(lo, hi]` of jobs the host took back from a worker; see `progress-words.ts`. */
export interface Hole {
  readonly lo: number;
  readonly hi: number;
}

/** One worker and its books. */
export class WorkerSlot<J extends HeldJob> {
  handle!: WorkerHandle;
  readonly held = new Map<number, J>();
  readonly startedAt = performance.now();
  ready = false;
  /** Estimated blocking work held, ms. */
  load = 0;
  /** `map` chunks held that still need the worker's thread (not awaiting IO). */
  chunks = 0;
  /** Jobs sent so far (the last one's `seq`). */
  dispatched = 0;
  finished = 0;
  retiring = false;
  /** Why the pool is killing this worker, when it is. */
  killReason: string | undefined;
  loadError: ModuleLoadError | undefined;
  /** Why it could not start (it did not become ready in time). */
  startFailure: WorkerStartError | undefined;
  outbox: WireJob[] = [];
  outboxTransfer: TransferListItem[] = [];
  cancelTimer: NodeJS.Timeout | undefined;
  stopTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  startTimer: NodeJS.Timeout | undefined;
  referenced = true;
  exited = false;
  /** How far the worker got, from its dying message (processes have no shared memory). */
  finalStarted: number | undefined;
  /** `[jobId, itemIndex]` of the chunk item it was running as it died, from its dying message. */
  dyingAt: readonly [number, number] | undefined;
  /** Jobs taken back from this worker and not yet accounted for by it. */
  hole: Hole | undefined;

  /** It has loaded the module, is not being replaced and has no unacknowledged cancel. */
  get available(): boolean {
    return this.ready && !this.retiring && this.cancelTimer === undefined;
  }

  /** Jobs held. */
  get jobs(): number {
    return this.held.size;
  }

  /** Jobs it has started, read from shared memory; -1 when the transport shares none. */
  startedNow(): number {
    const words = this.handle.progress;
    return words ? Atomics.load(words, STARTED) : -1;
  }

  /**
   * How many jobs it had started when it died: shared memory, else its dying message, else
   * unknown (`Infinity`: every job it held is presumed started).
   */
  startedAtExit(): number {
    const now = this.startedNow();
    if (now >= 0) return now;
    return this.finalStarted ?? Number.POSITIVE_INFINITY;
  }

  /** Whether the last hole has been accounted for, so a new one may be opened. */
  holeSettled(): boolean {
    if (!this.hole) return true;
    const started = this.startedNow();
    if (started >= this.hole.hi) {
      this.hole = undefined;
      return true;
    }
    return false;
  }

  /**
   * Opens the hole `(lo, hi]`. With shared memory it takes effect at once and the positions
   * the worker surely will not start are returned (those past the `STARTED` read after the
   * store); otherwise the worker is told by message and `hi` is returned (nothing is sure yet).
   */
  openHole(lo: number, hi: number): number {
    this.hole = { lo, hi };
    const words = this.handle.progress;
    if (words && words.length > HOLE_HI) {
      Atomics.store(words, HOLE_LO, lo);
      Atomics.store(words, HOLE_HI, hi);
      return Math.max(lo, Atomics.load(words, STARTED));
    }
    return hi;
  }

  /** Clears every timer the slot owns. */
  clearTimers(): void {
    for (const timer of [this.cancelTimer, this.stopTimer, this.idleTimer, this.startTimer]) {
      if (timer) clearTimeout(timer);
    }
    this.cancelTimer = this.stopTimer = this.idleTimer = this.startTimer = undefined;
  }

  /** Lets the worker keep the host process alive (it holds work). */
  ref(): void {
    if (this.referenced) return;
    this.referenced = true;
    this.handle.ref();
  }

  /** Stops the worker from keeping the host process alive (it is idle). */
  unref(): void {
    if (!this.referenced) return;
    this.referenced = false;
    this.handle.unref();
  }
}
