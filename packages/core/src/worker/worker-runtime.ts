/**
 * The worker side, shared by every transport: loads the task module once (`load-module.ts`),
 * runs the jobs of each batch (sync tasks one after another, async tasks up to `concurrency` at
 * a time; `execute.ts`), and replies with as few messages as it can (`outbox.ts`). This file is
 * the loop: the queue of jobs, cancels, reclaims, credits and stops from the host.
 */

import { UnknownTaskError } from '../wire/errors.js';
import { HOLE_HI, HOLE_LO, STARTED } from '../wire/progress-words.js';
import {
  BRAND,
  type HostMessage,
  isBranded,
  JobKind,
  Outcome,
  type WireJob,
  type WorkerInit,
} from '../wire/protocol.js';
import {
  type AnyFn,
  asChunkFailure,
  enterContext,
  fold,
  isThenable,
  runChunk,
  type TaskContext,
} from './execute.js';
import { loadTaskModule } from './load-module.js';
import { Outbox } from './outbox.js';
import type { WorkerPort } from './port.js';
import { lowerWorkerPriority } from './priority.js';
import { TaskEvents } from './task-events.js';
import { runTeardown } from './worker-setup.js';

/** Flush replies at least this often while a long batch of sync jobs runs. */
const FLUSH_INTERVAL_MS = 4;
/** How long an idle worker polls for the next message before it sleeps (see `receive`). */
const IDLE_SPIN_MS = 0.25;

/** Loads the task module named in `init` and serves jobs from `port` until stopped. */
export function startWorkerRuntime(port: WorkerPort, init: WorkerInit): void {
  // Before the task module loads: its import and any threads it starts run at the lower priority.
  if (init.niceIncrement) lowerWorkerPriority(init.niceIncrement);
  const concurrency = init.concurrency;
  const queue: WireJob[] = [];
  let queueHead = 0;
  const cancelledQueued = new Set<number>();
  const running = new Map<number, TaskContext>();
  /** The sync job running now and the item of its chunk, so a death can name the item. */
  let runningJob = -1;
  let runningItem = -1;
  /** The hole the host opened by message (transports without shared memory). */
  let holeLo = 0;
  let holeHi = 0;
  const words = port.progress && port.progress.length > HOLE_HI ? port.progress : undefined;
  let started = 0;
  let tasks: Record<string, AnyFn> | undefined;
  let taskNames: string[] = [];
  let stopping = false;
  const events = new TaskEvents(() => outbox.scheduleFlush());
  const outbox = new Outbox({
    port,
    events,
    trackHeap: init.trackHeap === true,
    finalMark: () =>
      runningItem >= 0 ? { started, dying: [runningJob, runningItem] as const } : { started },
    onFlushTurn: () => flush(),
  });

  const flush = (): void => {
    outbox.sendPending();
    maybeExit();
  };

  let finalSent = false;
  /** The thread or process is dying: hand over what finished, and how far the queue got. */
  const sendFinal = (): void => {
    if (finalSent) return;
    finalSent = true;
    try {
      outbox.send(true);
    } catch {
      // Nothing more can be done from a dying worker: the host fails what it did not hear of.
    }
  };
  if (!port.sharesThread) {
    process.once('exit', sendFinal);
    process.on('uncaughtExceptionMonitor', sendFinal);
  }

  let exiting = false;
  const maybeExit = (): void => {
    if (
      stopping &&
      queueHead >= queue.length &&
      running.size === 0 &&
      outbox.results.length === 0 &&
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

  const settleAsync = (
    id: number,
    context: TaskContext,
    promise: PromiseLike<unknown>,
    t0: number,
    blockMs: number,
  ): void => {
    running.set(id, context);
    // Tell the host this job no longer holds the thread, so it can send more work.
    outbox.wentAsync.push(id, blockMs);
    outbox.scheduleFlush();
    promise.then(
      (value) => {
        if (running.delete(id)) {
          outbox.push([id, Outcome.Ok, value, performance.now() - t0, blockMs]);
        }
        drain();
      },
      (error: unknown) => {
        if (running.delete(id)) {
          const failure = asChunkFailure(error);
          outbox.fail(id, failure ? failure.error : error, t0, blockMs, failure?.index);
        }
        drain();
      },
    );
  };

  const onItem = (index: number): void => {
    runningItem = index;
  };

  const runJob = (job: WireJob): void => {
    const [id, kind, name, payload] = job;
    runningJob = id;
    runningItem = -1;
    const t0 = performance.now();
    const fn = kind === JobKind.Fold ? undefined : tasks?.[name];
    if (kind !== JobKind.Fold && !fn) {
      outbox.fail(id, new UnknownTaskError(name, taskNames), t0, 0);
      return;
    }
    let reducer: AnyFn | undefined;
    if (kind === JobKind.ChunkReduce || kind === JobKind.Fold) {
      const reducerName = job[4] as string;
      reducer = tasks?.[reducerName];
      if (!reducer) {
        outbox.fail(id, new UnknownTaskError(reducerName, taskNames), t0, 0);
        return;
      }
    }
    const context: TaskContext = { controller: undefined };
    enterContext(context);
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
            const outer = enterContext(context);
            try {
              return step();
            } finally {
              enterContext(outer);
            }
          },
        });
      } else if (kind === JobKind.Fold) {
        value =
          job.length === 6
            ? fold(reducer as AnyFn, payload, 0, job[5])
            : fold(reducer as AnyFn, payload, 1, payload[0]);
      } else {
        const spread = kind === JobKind.SpreadChunk;
        value = runChunk(fn as AnyFn, payload, reducer, spread, onItem);
      }
      const blockMs = performance.now() - t0;
      if (isThenable(value)) settleAsync(id, context, value, t0, blockMs);
      else outbox.push([id, Outcome.Ok, value, blockMs, blockMs]);
    } catch (error) {
      const failure = asChunkFailure(error);
      if (failure) outbox.fail(id, failure.error, t0, performance.now() - t0, failure.index);
      else outbox.fail(id, error, t0, performance.now() - t0);
    } finally {
      enterContext(undefined);
      runningItem = -1;
    }
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
  /**
   * Runs the queue once the host's messages at hand have all been handled. A process reads
   * many frames in one read, and hands them over one by one: draining at the first would run
   * its jobs (milliseconds of them) before the frames behind it are looked at, so a reclaim or a
   * cancel that came in the same read would find the jobs it names already started. Measured
   * on a 100,000-item map on child-process, 2 workers: a worker read each jobs frame 4–8 ms
   * after the one before, and handled the host's reclaim 23 ms after it was sent, with every
   * job it named already run — steals on processes took nothing back.
   */
  let drainQueued = false;
  const drainSoon = (): void => {
    if (drainQueued) return;
    drainQueued = true;
    queueMicrotask(() => {
      drainQueued = false;
      drain();
      spin();
    });
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
          outbox.given.push(job[0]);
          outbox.scheduleFlush();
          continue;
        }
        const jobStart = performance.now();
        runJob(job);
        const now = performance.now();
        // Results of tiny jobs travel together; a job that held the thread a while is reported
        // at once, so the host can send the next one while this worker runs what it holds.
        if (
          outbox.results.length > 0 &&
          (now - outbox.lastFlush > FLUSH_INTERVAL_MS || now - jobStart > 1)
        ) {
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
    drainSoon();
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
        outbox.given.push(job[0]);
      }
    }
    outbox.reclaimAnswer = true;
    flush();
  };

  const handle = (raw: unknown): void => {
    if (!isBranded(raw)) return;
    const message = raw as HostMessage;
    switch (message.k) {
      case 'jobs':
        for (const job of message.jobs) queue.push(job);
        drainSoon();
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

  loadTaskModule(port, init, (found, names) => {
    outbox.resetHeap();
    tasks = found;
    taskNames = names;
    port.post({ mh: BRAND, k: 'ready', tasks: taskNames });
    drain();
  });
}
