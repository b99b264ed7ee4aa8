/**
 * The host side of every backend: queues jobs, hands them to workers in batches, tracks what
 * each worker holds, and owns timeouts, abort, crash handling, recycling and stats.
 *
 * Dispatch is by estimated load: each task's blocking time per item is learned from results,
 * and a worker is given jobs until it holds about {@link MAX_LOAD_MS} of work. Tiny tasks thus
 * travel hundreds to a message; slow or unknown ones go one at a time, so a crash or a stuck
 * task strands as little as possible.
 */
import type { TransferListItem } from 'node:worker_threads';
import { findUncloneablePath } from './clone-path.js';
import { decodeThrown, type EncodedThrown } from './error-codec.js';
import {
  ExecutorClosedError,
  ExecutorTerminatedError,
  ManyhandsError,
  ModuleLoadError,
  NotCloneableError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkerExitError,
  WorkerStartError,
} from './errors.js';
import type { ResolvedOptions } from './options.js';
import {
  BRAND,
  isWorkerMessage,
  JobKind,
  Outcome,
  type WireJob,
  type WireResult,
  type WorkerInit,
} from './protocol.js';
import { type ExecutorStats, StatsRecorder } from './stats.js';
import type { Transport, TransportExit, WorkerHandle } from './transport.js';

/** Work a worker may hold at once, in estimated milliseconds of blocking time. */
const MAX_LOAD_MS = 10;
/** How long a worker has to acknowledge a cancel before it is killed. */
const CANCEL_GRACE_MS = 100;
/** How long a worker has to stop after a polite stop before it is killed. */
const STOP_GRACE_MS = 5_000;
/** Weight of the newest sample in the per-task time estimate. */
const EWMA = 0.3;

/** Key under which a failed chunk's error carries the failing item's index within the chunk. */
export const CHUNK_INDEX: unique symbol = Symbol.for('manyhands.chunkIndex');

/** What the pool needs to know to submit one job. */
export interface JobSpec {
  readonly kind: JobKind;
  readonly task: string;
  readonly payload: readonly unknown[];
  /** Items the job stands for (1 for a call, the chunk's length for a chunk). */
  readonly items: number;
  readonly reducer?: string;
  readonly initial?: { readonly value: unknown };
  readonly signal?: AbortSignal;
  readonly timeout?: number;
  readonly transfer?: readonly TransferListItem[];
  /** Times to run the job again when the task throws (its own errors only). */
  readonly retries?: number;
}

interface Job {
  readonly id: number;
  readonly spec: JobSpec;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly enqueuedAt: number;
  cost: number;
  settled: boolean;
  worker: Slot | undefined;
  seq: number;
  timer: NodeJS.Timeout | undefined;
  onAbort: (() => void) | undefined;
  retriesLeft: number;
}

interface Slot {
  readonly handle: WorkerHandle;
  readonly held: Map<number, Job>;
  readonly startedAt: number;
  ready: boolean;
  load: number;
  dispatched: number;
  finished: number;
  retiring: boolean;
  /** Why the pool is killing this worker, when it is. */
  killReason: string | undefined;
  loadError: ModuleLoadError | undefined;
  outbox: WireJob[];
  outboxTransfer: TransferListItem[];
  cancelTimer: NodeJS.Timeout | undefined;
  stopTimer: NodeJS.Timeout | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  referenced: boolean;
  exited: boolean;
}

type State = 'open' | 'closing' | 'terminating' | 'closed';

/** Per-task estimate of blocking milliseconds per item. */
interface Estimate {
  blockPerItem: number;
  /** Wall time over blocking time of one job: about 1 for CPU-bound tasks, more when they await IO. */
  wallPerBlock: number;
}

/** The scheduler behind every executor. Backends construct it with their transport. */
export class Scheduler {
  readonly transport: Transport;
  readonly options: ResolvedOptions;
  private readonly init: WorkerInit;
  /** Estimated work a worker may hold: {@link MAX_LOAD_MS}, or two chunks of the transport's. */
  private readonly maxLoadMs: number;
  private readonly slots = new Set<Slot>();
  private queue: Job[] = [];
  private queueHead = 0;
  private queued = 0;
  private running = 0;
  private nextId = 1;
  private pumpScheduled = false;
  private state: State = 'open';
  private readonly estimates = new Map<string, Estimate>();
  private taskNames: ReadonlySet<string> | undefined;
  private readonly stats = new StatsRecorder();
  private activeStreams = 0;
  private closed: Promise<void> | undefined;
  private drainWaiters: (() => void)[] = [];

  constructor(transport: Transport, module: string, options: ResolvedOptions) {
    this.transport = transport;
    this.options = options;
    this.init = { module, concurrency: options.concurrency };
    this.maxLoadMs = transport.chunkTargetMs ? 2 * transport.chunkTargetMs : MAX_LOAD_MS;
  }

  /** The task names the module exports, once a worker has loaded it. */
  get knownTasks(): ReadonlySet<string> | undefined {
    return this.taskNames;
  }

  /** Worker time a `map` chunk should take, when the transport asks for its own. */
  get chunkTargetMs(): number | undefined {
    return this.transport.chunkTargetMs;
  }

  /** Number of workers the executor runs at most. */
  get workerCount(): number {
    return this.options.workers;
  }

  /** Blocking milliseconds per item of `task`, once measured. */
  estimate(task: string): number | undefined {
    return this.estimates.get(task)?.blockPerItem;
  }

  /** Throws when new work may not start (closed, unknown task). */
  assertOpen(): void {
    if (this.state !== 'open') throw new ExecutorClosedError();
  }

  /** Throws `UnknownTaskError` at once when the module is loaded and lacks `task`. */
  assertTask(task: string): void {
    if (typeof task !== 'string') {
      throw new TypeError(`Task name must be a string, got ${typeof task}.`);
    }
    if (this.taskNames && !this.taskNames.has(task)) {
      throw new UnknownTaskError(task, [...this.taskNames]);
    }
  }

  /** A map/imap stream started: `close()` waits for it to finish. */
  streamStarted(): void {
    this.activeStreams++;
  }

  /** A map/imap stream ended. */
  streamEnded(): void {
    this.activeStreams--;
    this.checkDrained();
  }

  /**
   * Queues one job. `internal` jobs (chunks of a map that started before `close()`) are still
   * accepted while closing.
   */
  submit(spec: JobSpec, internal = false): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.state !== 'open' && !(internal && this.state === 'closing')) {
        reject(new ExecutorClosedError());
        return;
      }
      if (!internal && this.queued >= this.options.maxQueue) {
        reject(new QueueFullError(this.options.maxQueue));
        return;
      }
      if (spec.signal?.aborted) {
        reject(new TaskAbortedError(spec.task, spec.signal.reason));
        return;
      }
      const job: Job = {
        id: this.nextId++,
        spec,
        resolve,
        reject,
        enqueuedAt: performance.now(),
        cost: 0,
        settled: false,
        worker: undefined,
        seq: 0,
        timer: undefined,
        onAbort: undefined,
        retriesLeft: spec.retries ?? 0,
      };
      if (spec.signal) {
        const signal = spec.signal;
        job.onAbort = () => this.cancel(job, new TaskAbortedError(spec.task, signal.reason), true);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.queued++;
      this.schedulePump();
    });
  }

  /**
   * Rejects a job with `error`. A queued job just leaves the queue; a running one is cancelled
   * in its worker, and with `interrupt` the worker is killed if it does not acknowledge in time.
   */
  cancel(job: Job, error: unknown, interrupt: boolean): void {
    if (job.settled) return;
    const slot = job.worker;
    if (!slot) {
      this.queued--;
      this.settle(job, false, error);
      this.checkDrained();
      return;
    }
    this.release(slot, job);
    this.settle(job, false, error);
    if (!slot.exited && interrupt) this.interrupt(slot, job);
    this.afterRelease(slot);
  }

  /** Cancels every queued job of a set (used when a map fails: running chunks finish). */
  dropQueued(predicate: (spec: JobSpec) => boolean, error: unknown): void {
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const job = this.queue[i] as Job;
      if (!job.settled && !job.worker && predicate(job.spec)) this.cancel(job, error, false);
    }
  }

  private interrupt(slot: Slot, job: Job): void {
    try {
      slot.handle.send({ mh: BRAND, k: 'cancel', ids: [job.id] });
    } catch {
      // A worker that cannot take a message is on its way out; its exit handler cleans up.
    }
    if (!this.transport.canInterrupt || slot.cancelTimer) return;
    const check = (): void => {
      const progress = slot.handle.progress;
      if (progress && job.seq > Atomics.load(progress, 0)) {
        // Not started yet: the worker will skip it once it reads the cancel. Keep watching.
        slot.cancelTimer = setTimeout(check, CANCEL_GRACE_MS);
        return;
      }
      slot.cancelTimer = undefined;
      this.kill(slot, `stopped because task "${job.spec.task}" on it could not be interrupted`);
    };
    slot.cancelTimer = setTimeout(check, CANCEL_GRACE_MS);
  }

  private kill(slot: Slot, reason: string): void {
    if (slot.exited || slot.killReason) return;
    slot.killReason = reason;
    slot.retiring = true;
    slot.handle.terminate();
  }

  private settle(job: Job, ok: boolean, value: unknown): void {
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    if (job.onAbort) job.spec.signal?.removeEventListener('abort', job.onAbort);
    if (ok) {
      this.stats.completed += job.spec.items;
      job.resolve(value);
    } else {
      this.stats.failed += job.spec.items;
      job.reject(value);
    }
  }

  /** Takes a job off its worker's books. */
  private release(slot: Slot, job: Job): void {
    slot.held.delete(job.id);
    slot.load -= job.cost;
    if (slot.held.size === 0) slot.load = 0;
    job.worker = undefined;
    this.running--;
  }

  private afterRelease(slot: Slot): void {
    if (slot.held.size === 0 && !slot.exited) {
      if (slot.retiring && !slot.killReason) this.stop(slot);
      else this.becomeIdle(slot);
    }
    this.schedulePump();
    this.checkDrained();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => this.pump());
  }

  private costOf(spec: JobSpec): number {
    const estimate = this.estimates.get(spec.task);
    if (!estimate) return this.maxLoadMs;
    return estimate.blockPerItem * spec.items;
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.state === 'closed' || this.state === 'terminating') return;
    // Skip jobs cancelled while queued.
    while (this.queueHead < this.queue.length && (this.queue[this.queueHead] as Job).settled) {
      this.queueHead++;
    }
    if (this.queued === 0) {
      this.compactQueue();
      return;
    }
    this.spawnAsNeeded();
    const concurrency = this.options.concurrency;
    const dirty: Slot[] = [];
    while (this.queueHead < this.queue.length) {
      const job = this.queue[this.queueHead] as Job;
      if (job.settled) {
        this.queueHead++;
        continue;
      }
      const cost = this.costOf(job.spec);
      let best: Slot | undefined;
      for (const slot of this.slots) {
        if (!slot.ready || slot.retiring || slot.held.size >= concurrency) continue;
        // It has not acknowledged a cancel: it may be stuck in a loop and about to be killed.
        if (slot.cancelTimer) continue;
        if (slot.held.size > 0 && slot.load + cost > this.maxLoadMs) continue;
        if (
          !best ||
          slot.load < best.load ||
          (slot.load === best.load && slot.held.size < best.held.size)
        ) {
          best = slot;
        }
      }
      if (!best) break;
      this.queueHead++;
      this.queued--;
      this.running++;
      job.worker = best;
      job.cost = cost;
      job.seq = ++best.dispatched;
      best.held.set(job.id, job);
      best.load += cost;
      const { spec } = job;
      const wire: WireJob =
        spec.reducer === undefined
          ? [job.id, spec.kind, spec.task, spec.payload]
          : spec.initial
            ? [job.id, spec.kind, spec.task, spec.payload, spec.reducer, spec.initial.value]
            : [job.id, spec.kind, spec.task, spec.payload, spec.reducer];
      if (best.outbox.length === 0) dirty.push(best);
      best.outbox.push(wire);
      if (spec.transfer) best.outboxTransfer.push(...spec.transfer);
      this.stats.recordWait(performance.now() - job.enqueuedAt);
      if (spec.timeout !== undefined) {
        const timeout = spec.timeout;
        job.timer = setTimeout(
          () => this.cancel(job, new TaskTimeoutError(spec.task, timeout), true),
          timeout,
        );
      }
    }
    this.compactQueue();
    for (const slot of dirty) this.flush(slot);
  }

  private compactQueue(): void {
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    } else if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    }
  }

  /** Sends a worker its batch; on a clone failure, retries job by job and rejects the bad ones. */
  private flush(slot: Slot): void {
    const jobs = slot.outbox;
    const transfer = slot.outboxTransfer;
    slot.outbox = [];
    slot.outboxTransfer = [];
    if (jobs.length === 0) return;
    if (!slot.referenced) {
      slot.referenced = true;
      slot.handle.ref();
    }
    if (slot.idleTimer) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
    }
    try {
      slot.handle.send({ mh: BRAND, k: 'jobs', jobs }, transfer.length ? transfer : undefined);
      return;
    } catch (error) {
      if (jobs.length === 1) {
        this.rejectUnsendable(slot, jobs[0] as WireJob, error);
        return;
      }
    }
    for (const wire of jobs) {
      const job = slot.held.get(wire[0]);
      try {
        slot.handle.send({ mh: BRAND, k: 'jobs', jobs: [wire] }, job?.spec.transfer);
      } catch (error) {
        this.rejectUnsendable(slot, wire, error);
      }
    }
  }

  private rejectUnsendable(slot: Slot, wire: WireJob, error: unknown): void {
    const job = slot.held.get(wire[0]);
    if (!job) return;
    const call = job.spec.kind === JobKind.Call;
    const path = findUncloneablePath(job.spec.payload, call ? 'args' : 'inputs');
    const what = call ? 'task arguments' : 'map inputs';
    // The job never reached the worker: take it back without counting it as started.
    slot.dispatched--;
    for (const other of slot.held.values()) if (other.seq > job.seq) other.seq--;
    this.release(slot, job);
    this.settle(job, false, new NotCloneableError(what, path, { cause: error }));
    this.afterRelease(slot);
  }

  private liveSlots(): number {
    let n = 0;
    for (const slot of this.slots) if (!slot.retiring) n++;
    return n;
  }

  private spawnAsNeeded(): void {
    let live = this.liveSlots();
    let idle = 0;
    for (const slot of this.slots) if (!slot.retiring && slot.held.size === 0) idle++;
    while (live < this.options.workers && this.queued > idle) {
      if (!this.spawn()) return;
      live++;
      idle++;
    }
  }

  private spawn(): boolean {
    const slot: Slot = {
      handle: undefined as unknown as WorkerHandle,
      held: new Map(),
      startedAt: performance.now(),
      ready: false,
      load: 0,
      dispatched: 0,
      finished: 0,
      retiring: false,
      killReason: undefined,
      loadError: undefined,
      outbox: [],
      outboxTransfer: [],
      cancelTimer: undefined,
      stopTimer: undefined,
      idleTimer: undefined,
      referenced: true,
      exited: false,
    };
    try {
      (slot as { handle: WorkerHandle }).handle = this.transport.spawn(this.init, {
        message: (message) => this.onMessage(slot, message),
        exit: (exit) => this.onExit(slot, exit),
      });
    } catch (error) {
      this.failQueue(
        new WorkerStartError(error instanceof Error ? error.message : String(error), {
          cause: error,
        }),
      );
      return false;
    }
    this.slots.add(slot);
    return true;
  }

  private onMessage(slot: Slot, message: unknown): void {
    if (!isWorkerMessage(message)) return;
    switch (message.k) {
      case 'results':
        if (message.async) this.onWentAsync(slot, message.async);
        this.onResults(slot, message.results);
        break;
      case 'ready':
        slot.ready = true;
        this.taskNames = new Set(message.tasks);
        this.becomeIdle(slot);
        this.schedulePump();
        break;
      case 'load-error': {
        const error = new ModuleLoadError(this.init.module, decodeThrown(message.error));
        slot.loadError = error;
        this.failQueue(error);
        this.kill(slot, 'its task module failed to load');
        break;
      }
      case 'cancelled':
        if (slot.cancelTimer) {
          clearTimeout(slot.cancelTimer);
          slot.cancelTimer = undefined;
          this.schedulePump();
        }
        break;
    }
  }

  private onResults(slot: Slot, results: readonly WireResult[]): void {
    for (const result of results) {
      const job = slot.held.get(result[0]);
      if (!job) continue; // cancelled or timed out: already settled
      const [, outcome, value, runMs, blockMs] = result;
      const { spec } = job;
      this.release(slot, job);
      slot.finished++;
      this.learn(spec.task, blockMs / spec.items);
      const estimate = this.estimates.get(spec.task) as Estimate;
      const ratio = runMs / Math.max(blockMs, 1e-3);
      estimate.wallPerBlock += EWMA * (Math.max(1, ratio) - estimate.wallPerBlock);
      this.stats.recordRun(spec.items, runMs, blockMs);
      if (outcome === Outcome.Ok) this.settle(job, true, value);
      else {
        const error = decodeThrown(value as EncodedThrown);
        if (job.retriesLeft > 0 && !(error instanceof ManyhandsError)) {
          job.retriesLeft--;
          this.requeue(job);
          continue;
        }
        if (result[5] !== undefined && error !== null && typeof error === 'object') {
          // Which item of a chunk failed, relative to the chunk; `map` makes it absolute.
          Object.defineProperty(error, CHUNK_INDEX, { value: result[5], configurable: true });
        }
        this.settle(job, false, error);
      }
    }
    if (slot.finished >= this.options.recycleAfter) slot.retiring = true;
    this.afterRelease(slot);
  }

  /** Puts a job that ran back at the head of the queue, to run again (a retry). */
  private requeue(job: Job): void {
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    job.seq = 0;
    this.queued++;
    this.queue.splice(this.queueHead, 0, job);
  }

  /** Jobs that now only await IO no longer count towards their worker's load. */
  private onWentAsync(slot: Slot, pairs: readonly number[]): void {
    for (let i = 0; i < pairs.length; i += 2) {
      const job = slot.held.get(pairs[i] as number);
      if (!job) continue;
      this.learn(job.spec.task, (pairs[i + 1] as number) / job.spec.items);
      slot.load = Math.max(0, slot.load - job.cost);
      job.cost = 0;
    }
    if (pairs.length > 0) this.schedulePump();
  }

  private learn(task: string, perItem: number): void {
    const estimate = this.estimates.get(task);
    if (!estimate) this.estimates.set(task, { blockPerItem: perItem, wallPerBlock: 1 });
    else estimate.blockPerItem += EWMA * (perItem - estimate.blockPerItem);
  }

  /**
   * How many times longer than its blocking time a job of `task` takes from start to settle
   * (1 when unknown): a map over an IO-bound task keeps that many more chunks in flight.
   */
  waitFactor(task: string): number {
    return this.estimates.get(task)?.wallPerBlock ?? 1;
  }

  private becomeIdle(slot: Slot): void {
    if (slot.held.size > 0 || slot.exited) return;
    if (slot.referenced) {
      slot.referenced = false;
      slot.handle.unref();
    }
    if (Number.isFinite(this.options.idleTimeout) && !slot.idleTimer && this.state === 'open') {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = undefined;
        if (slot.held.size === 0) {
          slot.retiring = true;
          this.stop(slot);
        }
      }, this.options.idleTimeout);
      slot.idleTimer.unref();
    }
  }

  /** Polite stop of an idle worker: it exits by itself; killed if it has not after a grace. */
  private stop(slot: Slot): void {
    if (slot.exited || slot.stopTimer) return;
    slot.retiring = true;
    try {
      slot.handle.send({ mh: BRAND, k: 'stop' });
    } catch {
      slot.handle.terminate();
      return;
    }
    slot.stopTimer = setTimeout(() => slot.handle.terminate(), STOP_GRACE_MS);
    slot.stopTimer.unref();
  }

  private onExit(slot: Slot, exit: TransportExit): void {
    if (slot.exited) return;
    slot.exited = true;
    this.slots.delete(slot);
    for (const timer of [slot.cancelTimer, slot.stopTimer, slot.idleTimer]) {
      if (timer) clearTimeout(timer);
    }
    this.stats.addWorkerTime(performance.now() - slot.startedAt);
    const held = [...slot.held.values()];
    // Jobs the worker never took off its queue can safely run elsewhere.
    const started = slot.handle.progress
      ? Atomics.load(slot.handle.progress, 0)
      : Number.POSITIVE_INFINITY;
    const requeue: Job[] = [];
    let failure: unknown;
    if (slot.loadError) failure = slot.loadError;
    else if (!slot.ready && !slot.killReason) {
      failure = new WorkerStartError(describeExit(exit), { cause: exit.error });
    }
    for (const job of held) {
      this.release(slot, job);
      if (job.seq > started && this.state !== 'terminating' && !failure) {
        requeue.push(job);
        continue;
      }
      this.settle(
        job,
        false,
        failure ??
          (this.state === 'terminating'
            ? new ExecutorTerminatedError()
            : new WorkerExitError(exit, slot.killReason, { cause: exit.error })),
      );
    }
    if (requeue.length > 0) {
      for (const job of requeue) {
        job.seq = 0;
        this.queued++;
      }
      this.queue.splice(this.queueHead, 0, ...requeue);
    }
    if (failure && !slot.loadError) this.failQueue(failure);
    this.schedulePump();
    this.checkDrained();
  }

  /** A worker cannot start: reject what waits, rather than respawning forever. */
  private failQueue(error: unknown): void {
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const job = this.queue[i] as Job;
      if (!job.settled && !job.worker) {
        this.queued--;
        this.settle(job, false, error);
      }
    }
    this.queue.length = 0;
    this.queueHead = 0;
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.queued > 0 || this.running > 0 || this.activeStreams > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  private whenDrained(): Promise<void> {
    if (this.queued === 0 && this.running === 0 && this.activeStreams === 0)
      return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private whenAllExited(force: boolean): Promise<void> {
    const slots = [...this.slots];
    if (slots.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (slots.every((s) => s.exited)) resolve();
        else setTimeout(check, 5);
      };
      for (const slot of slots) {
        if (force) this.kill(slot, 'the executor was terminated');
        else this.stop(slot);
      }
      check();
    });
  }

  /** Lets queued and running work (and maps already started) finish, then stops every worker. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.state = 'closing';
    this.closed = this.whenDrained()
      .then(() => this.whenAllExited(false))
      .then(() => {
        this.state = 'closed';
      });
    return this.closed;
  }

  /** Rejects everything pending and kills every worker. */
  terminate(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.state = 'terminating';
    const error = new ExecutorTerminatedError();
    this.failQueue(error);
    for (const slot of this.slots) {
      for (const job of [...slot.held.values()]) {
        this.release(slot, job);
        this.settle(job, false, error);
      }
    }
    const done = this.whenAllExited(true).then(() => {
      this.state = 'closed';
      this.checkDrained();
    });
    this.closed = done;
    return done;
  }

  /** A snapshot of counters and latencies. */
  snapshot(): ExecutorStats {
    let liveWorkerMs = 0;
    const now = performance.now();
    for (const slot of this.slots) liveWorkerMs += now - slot.startedAt;
    return this.stats.snapshot({
      queued: this.queued,
      running: this.running,
      workers: this.slots.size,
      liveWorkerMs,
    });
  }

  /** Ids (pid or threadId) of the workers alive now, for leak checks. */
  workerIds(): number[] {
    return [...this.slots].map((slot) => slot.handle.id);
  }
}

function describeExit(exit: TransportExit): string {
  const how =
    exit.signal != null ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const why = exit.error instanceof Error ? `: ${exit.error.message}` : '';
  return `the worker ${how} before it was ready${why}`;
}
