/**
 * The worker side, shared by every transport: loads the task module once, runs the jobs of each
 * batch (sync tasks one after another, async tasks up to `concurrency` at a time), encodes
 * results and errors, and replies with as few messages as it can.
 */

import { findUncloneablePath } from '../wire/clone-path.js';
import { encodeThrown } from '../wire/error-codec.js';
import { NotCloneableError, UnknownTaskError } from '../wire/errors.js';
import { HOLE_HI, HOLE_LO, STARTED } from '../wire/progress-words.js';
import {
  BRAND,
  type HostMessage,
  isHostMessage,
  JobKind,
  Outcome,
  type WireJob,
  type WireResult,
  type WorkerInit,
  type WorkerMessage,
} from '../wire/protocol.js';
import { scopeContext, TaskEvents } from './task-events.js';
import { heapUsed, runInitializer, runTeardown } from './worker-setup.js';

/** What a transport's worker entry hands the runtime: a way to talk to the host. */
export interface WorkerPort {
  /** Sends one message to the host; may throw when the message cannot be cloned. */
  post(message: WorkerMessage): void;
  /** Registers the handler for messages from the host. */
  onMessage(handler: (message: unknown) => void): void;
  /**
   * Optional synchronous send, for the moment the worker is about to die (`process.exit` from a
   * task, an uncaught exception): when it returns, the message is in the channel and reaches the
   * host even if the process or thread ends right after. Transports whose `post` already hands
   * the message over synchronously (worker_threads) need not provide it.
   */
  postSync?(message: WorkerMessage): void;
  /** Ends this worker after a graceful stop, once every reply has been posted. */
  exit(): void;
  /**
   * Optional synchronous poll for the next host message (worker_threads'
   * `receiveMessageOnPort`). With it, an idle worker briefly spins for new work before it
   * sleeps: waking a sleeping thread costs tens of microseconds on many machines, a spin a few.
   */
  receive?(): { message: unknown } | undefined;
  /**
   * Optional shared words (see `progress-words.ts`): the runtime stores how many jobs it has
   * started, so the host knows which of the jobs it handed over never started (they can run
   * elsewhere after a crash), and skips the jobs the host took back.
   */
  readonly progress?: Int32Array;
  /**
   * True when the runtime shares its thread with other code that outlives it (the inline
   * backend, a bullmq node): it then installs no `process` exit hooks. Otherwise, when the
   * thread or process is about to die (`process.exit` from a task, an uncaught exception), the
   * runtime sends what it finished and how far it got, so the host fails only what was lost.
   */
  readonly sharesThread?: boolean;
}

type AnyFn = (...args: unknown[]) => unknown;

/** Flush replies at least this often while a long batch of sync jobs runs. */
const FLUSH_INTERVAL_MS = 4;
/** How long an idle worker polls for the next message before it sleeps (see `receive`). */
const IDLE_SPIN_MS = 0.25;

interface TaskContext {
  controller: AbortController | undefined;
}

/** What one item of a chunk threw, with the item's index. */
interface ChunkFailure {
  readonly index: number;
  readonly error: unknown;
}
/** A WeakSet lookup never runs a thrown Proxy's traps, where reading a marker would. */
const chunkFailures = new WeakSet<object>();

function chunkFailure(index: number, error: unknown): ChunkFailure {
  const failure = { index, error };
  chunkFailures.add(failure);
  return failure;
}

function asChunkFailure(thrown: unknown): ChunkFailure | undefined {
  return typeof thrown === 'object' && thrown !== null && chunkFailures.has(thrown)
    ? (thrown as ChunkFailure)
    : undefined;
}

let currentContext: TaskContext | undefined;

/**
 * The `AbortSignal` of the task now starting, for tasks that want to stop early when the caller
 * aborts or the timeout fires. Call it synchronously at the top of the task function; in a
 * generator task (`stream`), also right after a `yield`.
 *
 * @example
 * ```ts
 * import { taskSignal } from '@manyhands/core/worker';
 * export async function fetchPage(url: string) {
 *   const res = await fetch(url, { signal: taskSignal() });
 *   return res.text();
 * }
 * ```
 */
export function taskSignal(): AbortSignal {
  // A call observed for progress runs in a scope that outlives its awaits (`task-events.ts`).
  const context = currentContext ?? (scopeContext() as TaskContext | undefined);
  if (!context) {
    throw new Error('taskSignal() must be called synchronously at the start of a task.');
  }
  context.controller ??= new AbortController();
  return context.controller.signal;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Loads the task module named in `init` and serves jobs from `port` until stopped. */
export function startWorkerRuntime(port: WorkerPort, init: WorkerInit): void {
  const concurrency = init.concurrency;
  const queue: WireJob[] = [];
  let queueHead = 0;
  const cancelledQueued = new Set<number>();
  const running = new Map<number, TaskContext>();
  let outbox: WireResult[] = [];
  /** The sync job running now and the item of its chunk, so a death can name the item. */
  let runningJob = -1;
  let runningItem = -1;
  /** Ids of jobs given back to the host unstarted, since the last flush. */
  let given: number[] = [];
  /** Whether the host asked for a reply to a `reclaim` (sent even when nothing was given). */
  let reclaimAnswer = false;
  /** The hole the host opened by message (transports without shared memory). */
  let holeLo = 0;
  let holeHi = 0;
  const words = port.progress && port.progress.length > HOLE_HI ? port.progress : undefined;
  /** `[id, blockMs]` pairs of jobs that went async since the last flush. */
  let wentAsync: number[] = [];
  let flushScheduled = false;
  let lastFlush = performance.now();
  let started = 0;
  let tasks: Record<string, AnyFn> | undefined;
  let taskNames: string[] = [];
  let stopping = false;
  const events = new TaskEvents(() => scheduleFlush());
  /** Heap growth per job and the heap after it travel with results (`trackHeap`). */
  const trackHeap = init.trackHeap === true;
  let lastHeap = trackHeap ? heapUsed() : 0;

  /**
   * Sends the finished results. `final` (the thread or process is about to die) sends them
   * synchronously, with how many jobs were taken off the queue, even when there is no result.
   */
  const send = (final: boolean): void => {
    if (events.pending)
      events.flush((final && port.postSync ? port.postSync : port.post).bind(port), outbox);
    if (outbox.length === 0 && wentAsync.length === 0 && given.length === 0 && !final) {
      if (!reclaimAnswer) return;
    }
    const post = final && port.postSync ? port.postSync.bind(port) : port.post.bind(port);
    const results = outbox;
    const async = wentAsync;
    const back = given.length > 0 || reclaimAnswer ? given : undefined;
    outbox = [];
    wentAsync = [];
    given = [];
    reclaimAnswer = false;
    lastFlush = performance.now();
    const mark = final
      ? {
          started,
          final: true,
          ...(runningItem >= 0 ? { dying: [runningJob, runningItem] as const } : {}),
        }
      : undefined;
    const heap = trackHeap && results.length > 0 ? { heap: lastHeap } : undefined;
    try {
      post({ mh: BRAND, k: 'results', results, async, given: back, ...mark, ...heap });
    } catch {
      if (async.length > 0 || back)
        post({ mh: BRAND, k: 'results', results: [], async, given: back });
      // One result could not be cloned: send them one by one and replace the bad ones.
      for (const result of results) {
        try {
          post({ mh: BRAND, k: 'results', results: [result] });
        } catch (error) {
          const path = findUncloneablePath(result[2], 'result');
          const replacement = new NotCloneableError('task result', path, { cause: error });
          post({
            mh: BRAND,
            k: 'results',
            results: [[result[0], Outcome.Threw, encodeThrown(replacement), result[3], result[4]]],
          });
        }
      }
      if (mark) post({ mh: BRAND, k: 'results', results: [], ...mark });
    }
  };

  const flush = (): void => {
    flushScheduled = false;
    send(false);
    maybeExit();
  };

  let finalSent = false;
  /** The thread or process is dying: hand over what finished, and how far the queue got. */
  const sendFinal = (): void => {
    if (finalSent) return;
    finalSent = true;
    try {
      send(true);
    } catch {
      // Nothing more can be done from a dying worker: the host fails what it did not hear of.
    }
  };
  if (!port.sharesThread) {
    process.once('exit', sendFinal);
    process.on('uncaughtExceptionMonitor', sendFinal);
  }

  const scheduleFlush = (): void => {
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  const push = (result: WireResult): void => {
    const settled = events.settle(result);
    if (trackHeap) {
      const now = heapUsed();
      if (settled.length === 5) settled.push(undefined);
      settled.push(now - lastHeap);
      lastHeap = now;
    }
    outbox.push(settled);
    scheduleFlush();
  };

  const fail = (id: number, error: unknown, t0: number, blockMs: number, index?: number): void => {
    const result: WireResult = [
      id,
      Outcome.Threw,
      encodeThrown(error),
      performance.now() - t0,
      blockMs,
    ];
    if (index !== undefined) result.push(index);
    push(result);
  };

  let exiting = false;
  const maybeExit = (): void => {
    if (
      stopping &&
      queueHead >= queue.length &&
      running.size === 0 &&
      outbox.length === 0 &&
      !events.pending
    ) {
      if (exiting) return;
      exiting = true;
      // The teardown runs once the last reply is out, bounded by its grace.
      if (tasks && init.teardown !== undefined) {
        void runTeardown(tasks, init.teardown, init.teardownTimeout ?? 5_000).then(() =>
          port.exit(),
        );
      } else port.exit();
    }
  };

  const fold = (
    reducer: AnyFn,
    values: readonly unknown[],
    start: number,
    acc: unknown,
  ): unknown => {
    for (let i = start; i < values.length; i++) {
      acc = reducer(acc, values[i]);
      if (isThenable(acc)) {
        const from = i + 1;
        return Promise.resolve(acc).then((a) => fold(reducer, values, from, a));
      }
    }
    return acc;
  };

  const settleAsync = (
    id: number,
    context: TaskContext,
    promise: PromiseLike<unknown>,
    t0: number,
    blockMs: number,
  ): void => {
    running.set(id, context);
    // Tell the host this job no longer holds the thread, so it can send more work.
    wentAsync.push(id, blockMs);
    scheduleFlush();
    promise.then(
      (value) => {
        if (running.delete(id)) push([id, Outcome.Ok, value, performance.now() - t0, blockMs]);
        drain();
      },
      (error: unknown) => {
        if (running.delete(id)) {
          const failure = asChunkFailure(error);
          fail(id, failure ? failure.error : error, t0, blockMs, failure?.index);
        }
        drain();
      },
    );
  };

  const runJob = (job: WireJob): void => {
    const [id, kind, name, payload] = job;
    runningJob = id;
    runningItem = -1;
    const t0 = performance.now();
    const fn = kind === JobKind.Fold ? undefined : tasks?.[name];
    if (kind !== JobKind.Fold && !fn) {
      fail(id, new UnknownTaskError(name, taskNames), t0, 0);
      return;
    }
    let reducer: AnyFn | undefined;
    if (kind === JobKind.ChunkReduce || kind === JobKind.Fold) {
      const reducerName = job[4] as string;
      reducer = tasks?.[reducerName];
      if (!reducer) {
        fail(id, new UnknownTaskError(reducerName, taskNames), t0, 0);
        return;
      }
    }
    const context: TaskContext = { controller: undefined };
    currentContext = context;
    try {
      let value: unknown;
      if (kind === JobKind.Call) {
        value = (fn as AnyFn)(...payload);
      } else if (kind === JobKind.Observed) {
        value = events.run(id, () => (fn as AnyFn)(...payload), context);
      } else if (kind === JobKind.Stream) {
        value = events.stream(id, name, () => (fn as AnyFn)(...payload), {
          credit: job[4] as number,
          observed: job[5] === 1,
          context,
          resume: (step) => {
            // Each resume of the generator sees its task's context, as its first part did.
            const outer = currentContext;
            currentContext = context;
            try {
              return step();
            } finally {
              currentContext = outer;
            }
          },
        });
      } else if (kind === JobKind.Fold) {
        value =
          job.length === 6
            ? fold(reducer as AnyFn, payload, 0, job[5])
            : fold(reducer as AnyFn, payload, 1, payload[0]);
      } else {
        value = runChunk(fn as AnyFn, payload, reducer, kind === JobKind.SpreadChunk);
      }
      const blockMs = performance.now() - t0;
      if (isThenable(value)) settleAsync(id, context, value, t0, blockMs);
      else push([id, Outcome.Ok, value, blockMs, blockMs]);
    } catch (error) {
      const failure = asChunkFailure(error);
      if (failure) fail(id, failure.error, t0, performance.now() - t0, failure.index);
      else fail(id, error, t0, performance.now() - t0);
    } finally {
      currentContext = undefined;
      runningItem = -1;
    }
  };

  /** Runs a chunk; sync when every item is, else a promise. Errors carry the item's index. */
  const runChunk = (
    fn: AnyFn,
    items: readonly unknown[],
    reducer: AnyFn | undefined,
    spread: boolean,
  ): unknown => {
    const n = items.length;
    const results = new Array<unknown>(n);
    let pending: Promise<unknown>[] | undefined;
    for (let i = 0; i < n; i++) {
      let value: unknown;
      runningItem = i;
      try {
        if (!spread) value = fn(items[i]);
        else if (Array.isArray(items[i])) value = fn(...(items[i] as unknown[]));
        else throw new TypeError(`starmap inputs must be argument arrays, got ${typeof items[i]}.`);
      } catch (error) {
        throw chunkFailure(i, error);
      }
      if (isThenable(value)) {
        const index = i;
        pending ??= [];
        pending.push(
          Promise.resolve(value).then(
            (v) => {
              results[index] = v;
            },
            (error: unknown) => {
              throw chunkFailure(index, error);
            },
          ),
        );
      } else {
        results[i] = value;
      }
    }
    const finish = (): unknown => (reducer ? fold(reducer, results, 1, results[0]) : results);
    if (!pending) return finish();
    return Promise.all(pending).then(finish);
  };

  /** Whether the host took back the job at position `seq` (see `progress-words.ts`). */
  const takenBack = (seq: number): boolean => {
    if (seq > holeLo && seq <= holeHi) return true;
    if (!words) return false;
    return seq > Atomics.load(words, HOLE_LO) && seq <= Atomics.load(words, HOLE_HI);
  };

  let draining = false;
  let lastPoll = 0;
  let drainScheduled = false;
  const drainLater = (): void => {
    drainScheduled = false;
    drain();
  };
  const drain = (): void => {
    if (!tasks || draining) return;
    draining = true;
    const began = performance.now();
    try {
      while (queueHead < queue.length && running.size < concurrency) {
        const job = queue[queueHead] as WireJob;
        queue[queueHead++] = undefined as unknown as WireJob;
        const seq = ++started;
        if (words) Atomics.store(words, STARTED, seq);
        else if (port.progress) Atomics.store(port.progress, 0, seq);
        if (cancelledQueued.delete(job[0])) continue;
        if (takenBack(seq)) {
          given.push(job[0]);
          scheduleFlush();
          continue;
        }
        const jobStart = performance.now();
        runJob(job);
        const now = performance.now();
        // Results of tiny jobs travel together; a job that held the thread a while is reported
        // at once, so the host can send the next one while this worker runs what it holds.
        if (outbox.length > 0 && (now - lastFlush > FLUSH_INTERVAL_MS || now - jobStart > 1)) {
          flush();
        }
        // In a long batch, look for cancels and reclaims now and then, so a job queued behind
        // others is skipped (or given back) rather than started.
        if (port.receive) {
          if (now - lastPoll > FLUSH_INTERVAL_MS) {
            lastPoll = now;
            for (let next = port.receive(); next; next = port.receive()) handle(next.message);
          }
        } else if (now - began > FLUSH_INTERVAL_MS && queueHead < queue.length) {
          // No synchronous receive: let the event loop read the host's messages, then go on.
          if (!drainScheduled) {
            drainScheduled = true;
            setImmediate(drainLater);
          }
          break;
        }
      }
    } finally {
      draining = false;
    }
    if (queueHead >= queue.length) {
      queue.length = 0;
      queueHead = 0;
      // Idle now: reply at once rather than on the next turn.
      if (running.size === 0) flush();
    }
    maybeExit();
  };

  const cancel = (ids: readonly number[]): void => {
    for (const id of ids) {
      const context = running.get(id);
      if (context) {
        running.delete(id);
        events.cancel(id);
        context.controller?.abort(new Error('The task was cancelled by the host.'));
      } else {
        cancelledQueued.add(id);
      }
    }
    port.post({ mh: BRAND, k: 'cancelled', ids });
    drain();
  };

  /** The host takes back the queued jobs at positions `(lo, hi]`; answer at once. */
  const reclaim = (lo: number, hi: number): void => {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) return;
    holeLo = lo;
    holeHi = hi;
    for (let i = queueHead; i < queue.length; i++) {
      const seq = started + (i - queueHead) + 1;
      const job = queue[i] as WireJob;
      if (seq > lo && seq <= hi && !cancelledQueued.has(job[0])) {
        // Skipped when reached (still counted as started, so positions stay in step).
        cancelledQueued.add(job[0]);
        given.push(job[0]);
      }
    }
    reclaimAnswer = true;
    flush();
  };

  const handle = (raw: unknown): void => {
    if (!isHostMessage(raw)) return;
    const message = raw as HostMessage;
    switch (message.k) {
      case 'jobs':
        for (const job of message.jobs) queue.push(job);
        drain();
        break;
      case 'cancel':
        cancel(message.ids);
        break;
      case 'reclaim':
        reclaim(message.lo, message.hi);
        break;
      case 'credit':
        events.grant(message.id, message.n);
        break;
      case 'stop':
        stopping = true;
        drain();
        maybeExit();
        break;
    }
  };

  const receive = port.receive;
  let spinning = false;
  /** While idle, poll for the next message for a moment instead of sleeping at once. */
  const spin = (): void => {
    if (!receive || spinning) return;
    spinning = true;
    try {
      let until = performance.now() + IDLE_SPIN_MS;
      while (!stopping && tasks && running.size === 0 && queueHead >= queue.length) {
        const next = receive();
        if (next) {
          handle(next.message);
          until = performance.now() + IDLE_SPIN_MS;
        } else if (performance.now() > until) break;
      }
    } finally {
      spinning = false;
    }
  };

  port.onMessage((raw) => {
    handle(raw);
    spin();
  });

  let loadSettled = false;
  /** Set while the initializer runs: a failure then is the initializer's. */
  let initializing = false;
  const loadFailed = (error: unknown): void => {
    if (loadSettled) return;
    loadSettled = true;
    process.off('unhandledRejection', loadFailed);
    let encoded: ReturnType<typeof encodeThrown>;
    try {
      encoded = encodeThrown(error);
    } catch {
      encoded = encodeThrown(
        new Error(initializing ? 'the initializer failed' : 'the task module failed to load'),
      );
    }
    const initializer = initializing ? { initializer: init.initializer } : undefined;
    port.post({ mh: BRAND, k: 'load-error', error: encoded, ...initializer });
  };
  // A rejection nobody handles while the module loads (or its initializer runs) is the module
  // failing to load (not a crash of a worker that would be replaced, again and again).
  // Afterwards, Node's default.
  if (!port.sharesThread) process.on('unhandledRejection', loadFailed);

  const becomeReady = (found: Record<string, AnyFn>): void => {
    if (loadSettled) return;
    loadSettled = true;
    process.off('unhandledRejection', loadFailed);
    if (trackHeap) lastHeap = heapUsed();
    tasks = found;
    port.post({ mh: BRAND, k: 'ready', tasks: taskNames });
    drain();
  };

  import(init.module).then((mod: Record<string, unknown>) => {
    if (loadSettled) return;
    const found: Record<string, AnyFn> = Object.create(null);
    for (const [key, value] of Object.entries(mod)) {
      if (typeof value === 'function') found[key] = value as AnyFn;
    }
    taskNames = Object.keys(found);
    if (init.initializer === undefined) {
      becomeReady(found);
      return;
    }
    initializing = true;
    let pending: Promise<void> | undefined;
    try {
      pending = runInitializer(found, init.initializer, init.initArgs ?? []);
    } catch (error) {
      loadFailed(error);
      return;
    }
    if (pending) pending.then(() => becomeReady(found), loadFailed);
    else becomeReady(found);
  }, loadFailed);
}
