/** The scheduler's side of what workers send: results, stream events, readiness, load failures, jobs given back, jobs gone async. */
import { decodeThrown, type EncodedThrown } from '../wire/error-codec.js';
import {
  describeThrown,
  ManyhandsError,
  ModuleLoadError,
  WorkerStartError,
} from '../wire/errors.js';
import { Outcome, type WireResult } from '../wire/protocol.js';
import { checkWorkerMessage } from '../wire/wire-check.js';
import { routeEvents } from './job-events.js';
import type { Job, Slot } from './scheduler-types.js';
import { WorkerManagingScheduler } from './scheduler-workers.js';
import { CHUNK_ITEM_INDEX } from './symbols.js';
import { typeScriptLoadHint } from './typescript-modules.js';

/** Layer 4 of the {@link Scheduler}: what workers send. */
export abstract class MessageHandlingScheduler extends WorkerManagingScheduler {
  protected onMessage(slot: Slot, raw: unknown): void {
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

  protected onResults(slot: Slot, results: readonly WireResult[]): void {
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
          Object.defineProperty(error, CHUNK_ITEM_INDEX, { value: result[5], configurable: true });
        } catch {
          // A frozen error value: it arrives without the index.
        }
      }
      this.settle(job, false, error);
    }
    if (slot.finished >= this.options.recycleAfter) slot.retiring = true;
    this.afterRelease(slot);
  }

  protected checkHeap(slot: Slot, heapBytes: number): void {
    if (slot.retiring || heapBytes < this.options.recycleAtMemoryMb * 1024 * 1024) return;
    slot.retiring = true;
    this.stats.memoryRecycles++;
    this.schedulePump();
  }

  /** Jobs a worker gave back unstarted (a steal): they run elsewhere. */
  protected onGiven(slot: Slot, ids: readonly number[]): void {
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
  protected requeue(job: Job): void {
    job.seq = 0;
    this.queued++;
    this.queue.unshift([job]);
  }

  /** Jobs that now only await IO no longer count towards their worker's load. */
  protected onWentAsync(slot: Slot, pairs: readonly number[]): void {
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
}
