/** The scheduler's workers: starting them (within a start timeout), idling, polite stops, and what a worker's exit means for the jobs it held (`exit-triage.ts`). */
import { ExecutorTerminatedError, WorkerExitError, WorkerStartError } from '../wire/errors.js';
import { BRAND } from '../wire/protocol.js';
import type { TransportExit } from '../wire/transport.js';
import { triageExit } from './exit-triage.js';
import { MAX_TIMER_MS } from './options.js';
import { START_TIMEOUT_MS, STOP_GRACE_MS } from './scheduler-base.js';
import { DispatchingScheduler } from './scheduler-dispatch.js';
import { describeExit, type Job, type Slot } from './scheduler-types.js';
import { CHUNK_ITEM_INDEX } from './symbols.js';
import { WorkerSlot } from './worker-slot.js';

/** Layer 3 of the {@link Scheduler}: the workers' lives. */
export abstract class WorkerManagingScheduler extends DispatchingScheduler {
  protected spawn(): boolean {
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
  protected armStartTimer(slot: Slot, ms: number): void {
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

  protected becomeIdle(slot: Slot): void {
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
  protected stop(slot: Slot): void {
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

  protected onExit(slot: Slot, exit: TransportExit): void {
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
          Object.defineProperty(error, CHUNK_ITEM_INDEX, {
            value: slot.dyingAt[1],
            configurable: true,
          });
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
  protected failQueue(error: unknown): void {
    for (const job of this.queue) {
      if (!job.settled && !job.worker) {
        this.queued--;
        this.settle(job, false, error);
      }
    }
    this.queue.clear();
    this.checkDrained();
  }

  protected abstract onMessage(slot: Slot, raw: unknown): void;
}
