/**
 * The host side of every backend: queues jobs, hands them to workers in batches, tracks what
 * each worker holds, and owns timeouts, abort, crash handling, recycling and stats.
 *
 * Work handed to a worker stays the pool's:
 * - dispatch is by estimated load (`load-balance.ts`): a worker holds little beyond the job it
 *   runs, so tiny tasks travel hundreds to a message and slow ones one or two at a time;
 * - a worker that runs dry takes back unstarted jobs from the busiest one (work stealing, with
 *   shared memory on threads and a `reclaim` message on processes; see `progress-words.ts`);
 * - a worker that dies sends what it finished and how far it got, and only the jobs it had
 *   started and not answered fail (`exit-triage.ts`); the others run elsewhere.
 */
import type { TransferListItem } from 'node:worker_threads';
import { findUncloneablePath } from '../wire/clone-path.js';
import { decodeThrown, type EncodedThrown } from '../wire/error-codec.js';
import {
  describeThrown,
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
} from '../wire/errors.js';
import { createIdleSpinner, type IdleSpinner } from '../wire/idle-spin.js';
import {
  BRAND,
  JobKind,
  Outcome,
  type WireJob,
  type WireResult,
  type WorkerInit,
} from '../wire/protocol.js';
import type { Transport, TransportExit } from '../wire/transport.js';
import { checkWorkerMessage } from '../wire/wire-check.js';
import { AbortRegistry } from './abort-registry.js';
import { triageExit } from './exit-triage.js';
import { type JobEvents, routeEvents } from './job-events.js';
import { JobQueue } from './job-queue.js';
import { pickWorker, planSteal, type VictimView } from './load-balance.js';
import { MAX_TIMER_MS, type ResolvedOptions } from './options.js';
import { setupInit } from './setup-options.js';
import { type ExecutorStats, StatsRecorder } from './stats.js';
import { TaskEstimates } from './task-estimates.js';
import { typeScriptLoadHint } from './typescript-modules.js';
import { WorkerSlot } from './worker-slot.js';

/** Work a worker may hold beyond its first job, in estimated ms: about two map chunks. */
const MAX_LOAD_MS = 6;
/** `map` chunks a worker holds at once (one running, one waiting): see `load-balance.ts`. */
const MAX_CHUNKS = 2;
/** Least estimated work worth a steal (a steal costs a message or two). */
const STEAL_MIN_MS = 1;
/** How long a worker has to acknowledge a cancel before it is killed. */
const CANCEL_GRACE_MS = 100;
/** How long a worker has to stop after a polite stop before it is killed. */
const STOP_GRACE_MS = 5_000;
/** How long a new worker has to load its module and say it is ready, by default. */
const START_TIMEOUT_MS = 30_000;

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
  /** A `Stream` job's first credit: parts its worker may produce before the host grants more. */
  readonly credit?: number;
  /** A `Stream` job whose `progress()` values are wanted (its caller has `onProgress`). */
  readonly observed?: boolean;
  /** Where the job's stream parts and progress go while it runs (see `job-events.ts`). */
  readonly events?: JobEvents;
}

/** Options of {@link Scheduler.submit}. */
export interface SubmitOptions {
  /** A chunk of a map that started before `close()`: accepted while closing, not counted by `maxQueue`. */
  readonly internal?: boolean;
}

interface Job {
  readonly id: number;
  readonly spec: JobSpec;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly enqueuedAt: number;
  cost: number;
  chunk: boolean;
  settled: boolean;
  worker: Slot | undefined;
  seq: number;
  timer: NodeJS.Timeout | undefined;
  offAbort: (() => void) | undefined;
  retriesLeft: number;
}

type Slot = WorkerSlot<Job>;

type State = 'open' | 'closing' | 'terminating' | 'closed';

/** The scheduler behind every executor. Backends construct it with their transport. */
export class Scheduler {
  readonly transport: Transport;
  readonly options: ResolvedOptions;
  private readonly init: WorkerInit;
  /** Estimated work a worker may hold: {@link MAX_LOAD_MS}, or two chunks of the transport's. */
  private readonly maxLoadMs: number;
  private readonly spinner: IdleSpinner | undefined;
  private readonly slots: Slot[] = [];
  private readonly queue = new JobQueue<Job>();
  private queued = 0;
  private running = 0;
  private nextId = 1;
  private pumpScheduled = false;
  private state: State = 'open';
  private readonly estimates = new TaskEstimates();
  private readonly aborts = new AbortRegistry();
  private taskNames: ReadonlySet<string> | undefined;
  private readonly stats = new StatsRecorder();
  private activeStreams = 0;
  private closed: Promise<void> | undefined;
  private drainWaiters: (() => void)[] = [];

  constructor(transport: Transport, module: string, options: ResolvedOptions) {
    this.transport = transport;
    this.options = options;
    this.init = { module, concurrency: options.concurrency, ...setupInit(options) };
    this.maxLoadMs = transport.chunkTargetMs ? 2 * transport.chunkTargetMs : MAX_LOAD_MS;
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
  }

  /** A map/imap stream ended. */
  streamEnded(): void {
    this.activeStreams--;
    this.checkDrained();
  }

  /** Queues one job. Its `timeout` counts from now, waiting for a worker included. */
  submit(spec: JobSpec, options: SubmitOptions = {}): Promise<unknown> {
    const internal = options.internal === true;
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
    });
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

  private interrupt(slot: Slot, job: Job): void {
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

  private kill(slot: Slot, reason: string): void {
    if (slot.exited || slot.killReason) return;
    slot.killReason = reason;
    slot.retiring = true;
    slot.handle.terminate();
  }

  private settle(job: Job, ok: boolean, value: unknown): void {
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
  private release(slot: Slot, job: Job): void {
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
    while (this.queue.peek()?.settled) this.queue.shift();
    if (this.queued > 0) {
      this.spawnAsNeeded();
      this.dispatch();
    }
    if (this.queued === 0) this.stealForIdle();
  }

  /** Hands queued jobs to workers with room, then sends each worker its batch. */
  private dispatch(): void {
    const limits = {
      concurrency: this.options.concurrency,
      maxLoadMs: this.maxLoadMs,
      maxChunks: MAX_CHUNKS,
    };
    const dirty: Slot[] = [];
    for (let job = this.queue.peek(); job; job = this.queue.peek()) {
      if (job.settled) {
        this.queue.shift();
        continue;
      }
      const cost = this.costOf(job.spec);
      const isChunk = isChunkKind(job.spec.kind);
      const index = pickWorker(this.slots, cost, limits, isChunk);
      if (index < 0) break;
      const slot = this.slots[index] as Slot;
      this.queue.shift();
      this.queued--;
      this.running++;
      job.worker = slot;
      job.cost = cost;
      job.chunk = isChunk;
      if (isChunk) slot.chunks++;
      job.seq = ++slot.dispatched;
      slot.held.set(job.id, job);
      slot.load += cost;
      const { spec } = job;
      const wire: WireJob =
        spec.credit !== undefined
          ? spec.observed
            ? [job.id, JobKind.Stream, spec.task, spec.payload, spec.credit, 1]
            : [job.id, JobKind.Stream, spec.task, spec.payload, spec.credit]
          : spec.reducer === undefined
            ? [job.id, spec.kind, spec.task, spec.payload]
            : spec.initial
              ? [job.id, spec.kind, spec.task, spec.payload, spec.reducer, spec.initial.value]
              : [job.id, spec.kind, spec.task, spec.payload, spec.reducer];
      if (slot.outbox.length === 0) dirty.push(slot);
      slot.outbox.push(wire);
      if (spec.transfer) slot.outboxTransfer.push(...spec.transfer);
      spec.events?.dispatched?.((n) => this.grant(slot, job, n));
      this.stats.recordWait(performance.now() - job.enqueuedAt);
    }
    for (const slot of dirty) this.flush(slot);
  }

  /** Each worker with nothing to do takes unstarted work back from the busiest one. */
  private stealForIdle(): void {
    for (const thief of this.slots) {
      if (!thief.available || thief.held.size > 0) continue;
      if (!this.steal()) return;
    }
  }

  /** Takes back unstarted jobs from the busiest worker, to run on an idle one. */
  private steal(): boolean {
    const victims: Slot[] = [];
    const views: VictimView[] = [];
    for (const slot of this.slots) {
      if (slot.exited || slot.killReason || slot.held.size < 2) continue;
      // Calls are priced when sent, so their load says at once whether a steal can pay; only a
      // worker holding map chunks (two at most) is re-priced, which keeps this cheap on the
      // tail of a burst of tiny calls.
      if (slot.chunks === 0 && slot.load < STEAL_MIN_MS) continue;
      if (!slot.holeSettled()) continue;
      // Costs as estimated now: a costly stretch of a map is known once its first chunk is back.
      const jobs = [...slot.held.values()].map((job) => ({
        seq: job.seq,
        cost: job.cost > 0 ? this.costOf(job.spec) : 0,
      }));
      victims.push(slot);
      views.push({ jobs, started: slot.startedNow() });
    }
    const plan = planSteal(views, STEAL_MIN_MS);
    if (!plan) return false;
    const victim = victims[plan.victim] as Slot;
    const hi = victim.dispatched;
    const sure = victim.openHole(plan.lo, hi);
    if (sure >= hi) {
      // No shared memory: ask; the worker answers with the jobs it gives back.
      try {
        victim.handle.send({ mh: BRAND, k: 'reclaim', lo: plan.lo, hi });
      } catch {
        victim.hole = undefined;
      }
      return false;
    }
    const taken = [...victim.held.values()].filter((job) => job.seq > sure);
    this.takeBack(victim, taken);
    return taken.length > 0;
  }

  /** Jobs a worker will not start go back to the head of the queue. */
  private takeBack(slot: Slot, jobs: Job[]): void {
    if (jobs.length === 0) return;
    jobs.sort((a, b) => a.id - b.id);
    for (const job of jobs) {
      this.release(slot, job);
      job.seq = 0;
      this.queued++;
    }
    this.queue.unshift(jobs);
    this.spawnAsNeeded();
    this.dispatch();
    this.afterRelease(slot);
  }

  /** Sends a worker its batch; on a clone failure, retries job by job and rejects the bad ones. */
  private flush(slot: Slot): void {
    const jobs = slot.outbox;
    const transfer = slot.outboxTransfer;
    slot.outbox = [];
    slot.outboxTransfer = [];
    if (jobs.length === 0) return;
    slot.ref();
    if (slot.idleTimer) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
    }
    if (this.spinner) this.spinAfterSend(jobs);
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

  /** Keeps the loop turning after a send when the reply is expected within the spin. */
  private spinAfterSend(jobs: readonly WireJob[]): void {
    const spinMs = this.transport.replySpinMs as number;
    let expected = 0;
    for (const wire of jobs) {
      const task = wire[2];
      const estimate = this.estimates.get(task);
      if (!estimate) return;
      const items = wire[1] === JobKind.Call ? 1 : wire[3].length;
      expected += items * estimate.blockPerItem * estimate.wallPerBlock;
      if (expected > spinMs) return;
    }
    this.spinner?.keepHot();
  }

  private rejectUnsendable(slot: Slot, wire: WireJob, error: unknown): void {
    const job = slot.held.get(wire[0]);
    if (!job) return;
    const call = !isChunkKind(job.spec.kind) && job.spec.kind !== JobKind.Fold;
    let path: string | undefined;
    try {
      path = findUncloneablePath(job.spec.payload, call ? 'args' : 'inputs');
    } catch {
      path = call ? 'args' : 'inputs';
    }
    const what = call ? 'task arguments' : 'map inputs';
    // The job never reached the worker: take it back without counting it as sent.
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
    const slot: Slot = new WorkerSlot<Job>();
    try {
      slot.handle = this.transport.spawn(this.init, {
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
    const startTimeout =
      this.options.startTimeout ?? this.transport.defaultStartTimeoutMs ?? START_TIMEOUT_MS;
    if (Number.isFinite(startTimeout)) this.armStartTimer(slot, startTimeout);
    this.slots.push(slot);
    return true;
  }

  /** A worker not ready within `ms` is stopped, and what waits for it fails. */
  private armStartTimer(slot: Slot, ms: number): void {
    slot.startTimer = setTimeout(
      () => {
        slot.startTimer = undefined;
        if (slot.ready || slot.exited) return;
        const error = new WorkerStartError(
          `the worker did not load ${this.init.module}${this.init.initializer === undefined ? '' : ` and run its initializer "${this.init.initializer}"`} within ${ms} ms (an import that never finishes?); raise the startTimeout option if it needs longer`,
        );
        slot.loadError = undefined;
        slot.startFailure = error;
        this.failQueue(error);
        this.kill(slot, 'it did not become ready in time');
      },
      Math.min(MAX_TIMER_MS, ms),
    );
    slot.startTimer.unref();
  }

  private onMessage(slot: Slot, raw: unknown): void {
    if (slot.exited) return;
    const message = checkWorkerMessage(raw);
    if (!message) return;
    switch (message.k) {
      case 'results':
        if (message.final) {
          slot.finalStarted = message.started;
          slot.dyingAt = message.dying;
        }
        if (message.heap !== undefined && message.results.length > 0)
          this.checkHeap(slot, message.heap);
        if (message.async) this.onWentAsync(slot, message.async);
        this.onResults(slot, message.results);
        if (message.given) this.onGiven(slot, message.given);
        break;
      case 'ready':
        if (slot.ready) break;
        slot.ready = true;
        if (slot.startTimer) clearTimeout(slot.startTimer);
        slot.startTimer = undefined;
        this.taskNames = new Set(message.tasks);
        this.becomeIdle(slot);
        this.schedulePump();
        break;
      case 'load-error': {
        if (slot.ready) break;
        let reason: unknown;
        try {
          reason = decodeThrown(message.error);
        } catch (error) {
          reason = error;
        }
        if (message.initializer !== undefined) {
          // The module loaded; its initializer failed: a start failure, not a load failure.
          const error = new WorkerStartError(
            `its initializer "${message.initializer}" (of ${this.init.module}) failed: ${describeThrown(reason)}`,
            { cause: reason },
          );
          slot.startFailure = error;
          this.failQueue(error);
          this.kill(slot, 'its initializer failed');
          break;
        }
        const hint = typeScriptLoadHint(this.init.module, reason);
        const error = new ModuleLoadError(this.init.module, reason, hint);
        slot.loadError = error;
        this.failQueue(error);
        this.kill(slot, 'its task module failed to load');
        break;
      }
      case 'events':
        routeEvents(slot.held, message.events);
        break;
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
    if (results.length === 0) return;
    for (const result of results) {
      const job = slot.held.get(result[0]);
      if (!job) continue; // cancelled, timed out or taken back: already dealt with
      const [, outcome, value, runMs, blockMs] = result;
      const { spec } = job;
      this.release(slot, job);
      slot.finished++;
      this.estimates.learnBlock(spec.task, blockMs / spec.items);
      this.estimates.learnWait(spec.task, runMs, blockMs);
      this.stats.recordRun(spec.items, runMs, blockMs);
      if (result[6] !== undefined) this.stats.heap.record(spec.task, spec.items, result[6]);
      if (outcome === Outcome.Ok) {
        this.settle(job, true, value);
        continue;
      }
      let error: unknown;
      try {
        error = decodeThrown(value as EncodedThrown);
      } catch (decodeError) {
        error = decodeError;
      }
      if (job.retriesLeft > 0 && !(error instanceof ManyhandsError)) {
        job.retriesLeft--;
        this.requeue(job);
        continue;
      }
      if (result[5] !== undefined && error !== null && typeof error === 'object') {
        // Which item of a chunk failed, relative to the chunk; `map` makes it absolute.
        try {
          Object.defineProperty(error, CHUNK_INDEX, { value: result[5], configurable: true });
        } catch {
          // A frozen error value: it arrives without the index.
        }
      }
      this.settle(job, false, error);
    }
    if (slot.finished >= this.options.recycleAfter) slot.retiring = true;
    this.afterRelease(slot);
  }

  /** Lets the worker running `Stream` job `job` produce `n` more parts. */
  private grant(slot: Slot, job: Job, n: number): void {
    if (job.settled || job.worker !== slot || slot.exited) return;
    try {
      slot.handle.send({ mh: BRAND, k: 'credit', id: job.id, n });
    } catch {
      // A worker that cannot take a message is on its way out; its exit handler cleans up.
    }
  }

  /**
   * A worker whose heap passed `recycleAtMemoryMb` takes no more work: the jobs it holds finish,
   * then it stops politely (teardown included) and a new worker takes its place.
   */
  private checkHeap(slot: Slot, heapBytes: number): void {
    if (slot.retiring || heapBytes < this.options.recycleAtMemoryMb * 1024 * 1024) return;
    slot.retiring = true;
    this.stats.memoryRecycles++;
    this.schedulePump();
  }

  /** Jobs a worker gave back unstarted (a steal): they run elsewhere. */
  private onGiven(slot: Slot, ids: readonly number[]): void {
    if (!slot.handle.progress) slot.hole = undefined;
    const back: Job[] = [];
    for (const id of ids) {
      const job = slot.held.get(id);
      if (job) back.push(job);
    }
    this.takeBack(slot, back);
    this.schedulePump();
  }

  /** Puts a job that ran back at the head of the queue, to run again (a retry). */
  private requeue(job: Job): void {
    job.seq = 0;
    this.queued++;
    this.queue.unshift([job]);
  }

  /** Jobs that now only await IO no longer count towards their worker's load. */
  private onWentAsync(slot: Slot, pairs: readonly number[]): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const job = slot.held.get(pairs[i] as number);
      if (!job) continue;
      this.estimates.learnBlock(job.spec.task, (pairs[i + 1] as number) / job.spec.items);
      slot.load = Math.max(0, slot.load - job.cost);
      job.cost = 0;
      if (job.chunk) {
        job.chunk = false;
        slot.chunks--;
      }
    }
    if (pairs.length > 0) this.schedulePump();
  }

  private becomeIdle(slot: Slot): void {
    if (slot.held.size > 0 || slot.exited) return;
    slot.unref();
    const idleTimeout = this.options.idleTimeout;
    if (Number.isFinite(idleTimeout) && !slot.idleTimer && this.state === 'open') {
      slot.idleTimer = setTimeout(
        () => {
          slot.idleTimer = undefined;
          if (slot.held.size === 0) {
            slot.retiring = true;
            this.stop(slot);
          }
        },
        Math.min(MAX_TIMER_MS, idleTimeout),
      );
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
    // A teardown gets its own grace first; one stuck in a sync loop is cut off by the kill.
    const teardownMs = this.options.teardown === undefined ? 0 : this.options.teardownTimeout;
    slot.stopTimer = setTimeout(() => slot.handle.terminate(), STOP_GRACE_MS + teardownMs);
    slot.stopTimer.unref();
  }

  private onExit(slot: Slot, exit: TransportExit): void {
    if (slot.exited) return;
    slot.exited = true;
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    slot.clearTimers();
    this.stats.addWorkerTime(performance.now() - slot.startedAt);
    let failure: unknown = slot.loadError ?? slot.startFailure;
    if (!failure && !slot.ready && !slot.killReason) {
      failure = new WorkerStartError(describeExit(exit), { cause: exit.error });
    }
    const terminating = this.state === 'terminating';
    const { fail, requeue } = triageExit(slot.held.values(), {
      started: slot.startedAtExit(),
      failAll: terminating || failure !== undefined,
    });
    for (const job of [...fail, ...requeue]) this.release(slot, job);
    for (const job of fail) {
      let error = failure;
      if (!error && terminating) error = new ExecutorTerminatedError();
      if (!error) {
        error = new WorkerExitError(exit, slot.killReason, { cause: exit.error });
        if (slot.dyingAt?.[0] === job.id) {
          // The chunk item that was running: `map` reports it as the failed input.
          Object.defineProperty(error, CHUNK_INDEX, { value: slot.dyingAt[1], configurable: true });
        }
      }
      this.settle(job, false, error);
    }
    if (requeue.length > 0) {
      for (const job of requeue) job.seq = 0;
      this.queued += requeue.length;
      this.queue.unshift(requeue);
    }
    if (failure && !slot.loadError && !slot.startFailure) this.failQueue(failure);
    this.schedulePump();
    this.checkDrained();
  }

  /** A worker cannot start: reject what waits, rather than respawning forever. */
  private failQueue(error: unknown): void {
    for (const job of this.queue) {
      if (!job.settled && !job.worker) {
        this.queued--;
        this.settle(job, false, error);
      }
    }
    this.queue.clear();
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.queued > 0 || this.running > 0 || this.activeStreams > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  private whenDrained(): Promise<void> {
    if (this.queued === 0 && this.running === 0 && this.activeStreams === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private whenAllExited(how: { force: boolean }): Promise<void> {
    const slots = [...this.slots];
    if (slots.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (slots.every((s) => s.exited)) resolve();
        else setTimeout(check, 5);
      };
      for (const slot of slots) {
        if (how.force) this.kill(slot, 'the executor was terminated');
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
      .then(() => this.whenAllExited({ force: false }))
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
    const done = this.whenAllExited({ force: true }).then(() => {
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
      workers: this.slots.length,
      liveWorkerMs,
    });
  }

  /** Ids (pid or threadId) of the workers alive now, for leak checks. */
  workerIds(): number[] {
    return this.slots.map((slot) => slot.handle.id);
  }
}

/** Whether a job of `kind` is a `map` chunk (many items, one message). */
function isChunkKind(kind: JobKind): boolean {
  return kind === JobKind.Chunk || kind === JobKind.ChunkReduce || kind === JobKind.SpreadChunk;
}

function describeExit(exit: TransportExit): string {
  const how =
    exit.signal != null ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const why = exit.error instanceof Error ? `: ${exit.error.message}` : '';
  return `the worker ${how} before it was ready${why}`;
}
