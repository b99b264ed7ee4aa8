/** The scheduler's state and the bookkeeping every layer shares: submitting, settling and cancelling jobs, and which worker holds what. */
import {
  ExecutorClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  UnknownTaskError,
} from '../wire/errors.js';
import { createIdleSpinner, type IdleSpinner } from '../wire/idle-spin.js';
import { BRAND, type WorkerInit } from '../wire/protocol.js';
import type { Transport } from '../wire/transport.js';
import { AbortRegistry } from './abort-registry.js';
import { TARGET_CHUNK_MS } from './chunking.js';
import { hostPauses } from './host-pauses.js';
import { JobQueue } from './job-queue.js';
import { MAX_TIMER_MS, type ResolvedOptions } from './options.js';
import {
  isChunkKind,
  type Job,
  type JobSpec,
  type Slot,
  type State,
  type SubmitOptions,
} from './scheduler-types.js';
import { setupInit } from './setup-options.js';
import { StatsRecorder } from './stats.js';
import { TaskEstimates } from './task-estimates.js';

/** Work a worker may hold beyond its first job, in estimated ms (calls). */
const MAX_LOAD_MS = 6;
/**
 * Most estimated `map` work a worker holds beyond its first job, in ms, however long the host's
 * recent pauses (see `host-pauses.ts`): a deeper queue strands more of a misestimated stretch.
 */
export const MAX_CHUNK_QUEUE_MS = 64;
/** A host pause from which workers hold more `map` work (ms): shorter ones they ride out. */
const LONG_PAUSE_MS = 15;
/** How many times the host's recent longest pause a worker's held `map` work covers. */
const PAUSE_COVER = 2;
/** Most `map` chunks a worker holds at once, whatever their estimate: see `load-balance.ts`. */
export const MAX_CHUNKS = 24;
/**
 * `map` chunks a worker holds on a transport that asks for its own chunk size (a network
 * queue): one running, one waiting, about two of its chunks' worth of work.
 */
const REMOTE_MAX_CHUNKS = 2;
/** Least estimated work worth a steal (a steal costs a message or two). */
export const STEAL_MIN_MS = 1;
/** How long a worker has to acknowledge a cancel before it is killed. */
const CANCEL_GRACE_MS = 100;
/** How long a worker has to stop after a polite stop before it is killed. */
export const STOP_GRACE_MS = 5_000;
/** How long a new worker has to load its module and say it is ready, by default. */
export const START_TIMEOUT_MS = 30_000;

/** One reply spinner per spin length, shared by every executor of this thread. */
const spinners = new Map<number, IdleSpinner>();

function replySpinner(ms: number): IdleSpinner {
  let spinner = spinners.get(ms);
  if (!spinner) {
    spinner = createIdleSpinner(ms);
    spinners.set(ms, spinner);
  }
  return spinner;
}

const NO_RESOLVER = (): void => {};

/**
 * Where {@link captureResolvers} leaves the resolvers of the promise it was given to, until
 * the caller takes them (and puts {@link NO_RESOLVER} back, so nothing keeps the promise).
 */
const captured: { resolve: (value: unknown) => void; reject: (error: unknown) => void } = {
  resolve: NO_RESOLVER,
  reject: NO_RESOLVER,
};

/** A promise executor shared by every job: hands the resolvers over through {@link captured}. */
function captureResolvers(resolve: (value: unknown) => void, reject: (error: unknown) => void) {
  captured.resolve = resolve;
  captured.reject = reject;
}

/** Layer 1 of the {@link Scheduler}: its state and shared bookkeeping. */
export abstract class SchedulerBase {
  readonly transport: Transport;

  readonly options: ResolvedOptions;
  protected readonly init: WorkerInit;
  /** Estimated work a worker may hold: {@link MAX_LOAD_MS}, or two chunks of the transport's. */
  protected readonly maxLoadMs: number;
  /** The transport sizes its own chunks (a network queue): two per worker, as `maxLoadMs` says. */
  private readonly remote: boolean;
  /** `map` chunks a worker may hold: {@link MAX_CHUNKS}, or {@link REMOTE_MAX_CHUNKS}. */
  readonly maxChunks: number;
  protected readonly spinner: IdleSpinner | undefined;
  protected readonly slots: Slot[] = [];
  protected readonly queue = new JobQueue<Job>();
  protected queued = 0;
  protected running = 0;
  protected nextId = 1;
  protected pumpScheduled = false;

  protected state: State = 'open';
  protected readonly estimates = new TaskEstimates();
  protected readonly aborts = new AbortRegistry();

  protected taskNames: ReadonlySet<string> | undefined;
  protected readonly stats = new StatsRecorder();
  protected activeStreams = 0;

  protected closed: Promise<void> | undefined;

  protected drainWaiters: (() => void)[] = [];

  constructor(transport: Transport, module: string, options: ResolvedOptions) {
    this.transport = transport;
    this.options = options;
    this.init = { module, concurrency: options.concurrency, ...setupInit(options) };
    this.remote = transport.chunkTargetMs !== undefined;
    this.maxLoadMs = this.remote ? 2 * (transport.chunkTargetMs as number) : MAX_LOAD_MS;
    this.maxChunks = this.remote ? REMOTE_MAX_CHUNKS : MAX_CHUNKS;
    this.spinner = transport.replySpinMs ? replySpinner(transport.replySpinMs) : undefined;
  }

  /** The task names the module exports, once a worker has loaded it. */
  get knownTasks(): ReadonlySet<string> | undefined {
    return this.taskNames;
  }

  /** Worker time a `map` chunk should take, when the transport asks for its own. */
  get chunkTargetMs(): number | undefined {
    return this.transport.chunkTargetMs;
  }

  /**
   * Estimated `map` work a worker may hold beyond its first job now: as much as calls, or, while
   * the host's garbage collector pauses it for long ({@link LONG_PAUSE_MS} or more: a map keeping
   * big results), enough to outlast {@link PAUSE_COVER} times its recent longest pause, up to
   * {@link MAX_CHUNK_QUEUE_MS}.
   */
  chunkLoadCap(): number {
    if (this.remote) return this.maxLoadMs;
    const pause = hostPauses.recentMs();
    // Short pauses (a small heap's scavenges) leave the queue shallow: what a worker holds
    // beyond a couple of chunks may wait behind a costly one (without shared memory a worker
    // gives work back only between its jobs).
    if (pause < LONG_PAUSE_MS) return this.maxLoadMs;
    return Math.min(MAX_CHUNK_QUEUE_MS, PAUSE_COVER * pause);
  }

  /** `map` chunks worth keeping in flight per worker now: what it may hold, and one ready. */
  chunkWindowPerWorker(): number {
    if (this.remote) return REMOTE_MAX_CHUNKS + 2;
    return Math.min(this.maxChunks, Math.ceil(this.chunkLoadCap() / TARGET_CHUNK_MS) + 1) + 1;
  }

  /** Number of workers the executor runs at most. */
  get workerCount(): number {
    return this.options.workers;
  }

  /** Blocking milliseconds per item of `task`, once measured. */
  estimate(task: string): number | undefined {
    return this.estimates.get(task)?.blockPerItem;
  }

  /**
   * How many times longer than its blocking time a job of `task` takes from start to settle
   * (1 when unknown): a map over an IO-bound task keeps that many more chunks in flight.
   */

  waitFactor(task: string): number {
    return this.estimates.get(task)?.wallPerBlock ?? 1;
  }

  /** Throws when new work may not start (closed, unknown task). */
  assertOpen(): void {
    if (this.state !== 'open') throw new ExecutorClosedError();
  }

  /** Throws `QueueFullError` when the queue holds `maxQueue` jobs (a map may not start). */
  assertQueueRoom(): void {
    if (this.queued >= this.options.maxQueue) throw new QueueFullError(this.options.maxQueue);
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
    if (!this.remote) hostPauses.acquire();
  }

  /** A map/imap stream ended. */
  streamEnded(): void {
    this.activeStreams--;
    if (!this.remote) hostPauses.release();
    this.checkDrained();
  }

  /** Queues one job. Its `timeout` counts from now, waiting for a worker included. */
  submit(spec: JobSpec, options?: SubmitOptions): Promise<unknown> {
    const internal = options?.internal === true;
    if (this.state !== 'open' && !(internal && this.state === 'closing')) {
      return Promise.reject(new ExecutorClosedError());
    }
    if (!internal && this.queued >= this.options.maxQueue) {
      return Promise.reject(new QueueFullError(this.options.maxQueue));
    }
    if (spec.signal?.aborted) {
      return Promise.reject(new TaskAbortedError(spec.task, spec.signal.reason));
    }
    // The resolvers come out through one shared executor: no closure and context per call (a
    // burst of calls allocates, and keeps alive while in flight, only what each job needs).
    const promise = new Promise(captureResolvers);
    const { resolve, reject } = captured;
    captured.resolve = NO_RESOLVER;
    captured.reject = NO_RESOLVER;
    const job: Job = {
      id: this.nextId++,
      spec,
      resolve,
      reject,
      enqueuedAt: performance.now(),
      cost: 0,
      chunk: false,
      settled: false,
      worker: undefined,
      seq: 0,
      timer: undefined,
      offAbort: undefined,
      retriesLeft: spec.retries ?? 0,
    };
    if (spec.signal) {
      const signal = spec.signal;
      job.offAbort = this.aborts.add(signal, () =>
        this.cancel(job, new TaskAbortedError(spec.task, signal.reason), { interrupt: true }),
      );
    }
    const timeout = spec.timeout;
    if (timeout !== undefined && Number.isFinite(timeout)) {
      job.timer = setTimeout(
        () => this.cancel(job, new TaskTimeoutError(spec.task, timeout), { interrupt: true }),
        Math.min(MAX_TIMER_MS, Math.max(0, timeout)),
      );
    }
    this.queue.push(job);
    this.queued++;
    this.schedulePump();
    return promise;
  }

  /**
   * Rejects a job with `error`. A queued job just leaves the queue; a running one is cancelled
   * in its worker, and with `interrupt` the worker is killed if it does not acknowledge in time.
   */

  cancel(job: Job, error: unknown, options: { interrupt: boolean }): void {
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
    if (!slot.exited && options.interrupt) this.interrupt(slot, job);
    this.afterRelease(slot);
  }

  /** Cancels every queued job of a set (used when a map fails: running chunks finish). */
  dropQueued(predicate: (spec: JobSpec) => boolean, error: unknown): void {
    for (const job of [...this.queue]) {
      if (!job.settled && !job.worker && predicate(job.spec)) {
        this.cancel(job, error, { interrupt: false });
      }
    }
  }

  /** Cancels every job of a set, queued or running (a consumer broke out of `imap`). */
  cancelWhere(predicate: (spec: JobSpec) => boolean, error: unknown): void {
    this.dropQueued(predicate, error);
    for (const slot of [...this.slots]) {
      for (const job of [...slot.held.values()]) {
        if (predicate(job.spec)) this.cancel(job, error, { interrupt: true });
      }
    }
  }

  protected interrupt(slot: Slot, job: Job): void {
    try {
      slot.handle.send({ mh: BRAND, k: 'cancel', ids: [job.id] });
    } catch {
      // A worker that cannot take a message is on its way out; its exit handler cleans up.
    }
    if (!this.transport.canInterrupt || slot.cancelTimer) return;
    const check = (): void => {
      const started = slot.startedNow();
      if (started >= 0 && job.seq > started) {
        // Not started yet: the worker will skip it once it reads the cancel. Keep watching.
        slot.cancelTimer = setTimeout(check, CANCEL_GRACE_MS);
        return;
      }
      slot.cancelTimer = undefined;
      this.kill(slot, `stopped because task "${job.spec.task}" on it could not be interrupted`);
    };
    slot.cancelTimer = setTimeout(check, CANCEL_GRACE_MS);
  }

  protected kill(slot: Slot, reason: string): void {
    if (slot.exited || slot.killReason) return;
    slot.killReason = reason;
    slot.retiring = true;
    slot.handle.terminate();
  }

  protected settle(job: Job, ok: boolean, value: unknown): void {
    job.settled = true;
    if (job.timer) clearTimeout(job.timer);
    job.offAbort?.();
    if (ok) {
      this.stats.completed += job.spec.items;
      job.resolve(value);
    } else {
      this.stats.failed += job.spec.items;
      job.reject(value);
    }
  }

  /** Takes a job off its worker's books. */
  protected release(slot: Slot, job: Job): void {
    slot.held.delete(job.id);
    slot.load -= job.cost;
    if (job.chunk) {
      job.chunk = false;
      slot.chunks--;
    }
    if (slot.held.size === 0) slot.load = 0;
    job.worker = undefined;
    this.running--;
  }

  protected afterRelease(slot: Slot): void {
    if (slot.held.size === 0 && !slot.exited) {
      if (slot.retiring && !slot.killReason) this.stop(slot);
      else this.becomeIdle(slot);
    }
    this.schedulePump();
    this.checkDrained();
  }

  protected schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => this.pump());
  }

  /** Estimated blocking ms of a job; unmeasured, as much as a worker may hold beyond its first. */
  protected costOf(spec: JobSpec): number {
    const estimate = this.estimates.get(spec.task);
    if (!estimate) return isChunkKind(spec.kind) ? this.chunkLoadCap() : this.maxLoadMs;
    return estimate.blockPerItem * spec.items;
  }

  protected checkDrained(): void {
    if (this.queued > 0 || this.running > 0 || this.activeStreams > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  protected abstract pump(): void;
  protected abstract stop(slot: Slot): void;
  protected abstract becomeIdle(slot: Slot): void;
}
