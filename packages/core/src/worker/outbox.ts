/**
 * The worker's replies: results, "went async" notes and jobs given back wait here and leave
 * together, as few messages as possible — on the next turn, at once when a job held the thread,
 * and synchronously when the thread or process is about to die.
 */
import { findUncloneablePath } from '../wire/clone-path.js';
import { encodeThrown } from '../wire/error-codec.js';
import { NotCloneableError } from '../wire/errors.js';
import { BRAND, Outcome, type WireResult } from '../wire/protocol.js';
import { emptyChunkResults } from './execute.js';
import type { WorkerPort } from './port.js';
import type { TaskEvents } from './task-events.js';
import { heapUsed } from './worker-setup.js';

/** What the outbox needs from its runtime. */
export interface OutboxDeps {
  readonly port: WorkerPort;
  readonly events: TaskEvents;
  /** Whether results carry heap growth per job and the heap after it (`trackHeap`). */
  readonly trackHeap: boolean;
  /** For the final message: how many jobs were taken off the queue, and the item running. */
  finalMark(): { readonly started: number; readonly dying?: readonly [number, number] };
  /** Runs on the turn after a reply was queued (sends it, and lets a stopping worker exit). */
  onFlushTurn(): void;
}

/** See the file's comment. */
export class Outbox {
  /** Results not yet sent. */
  results: WireResult[] = [];
  /** `[id, blockMs]` pairs of jobs that went async since the last send. */
  wentAsync: number[] = [];
  /** Ids of jobs given back to the host unstarted, since the last send. */
  given: number[] = [];
  /** Whether the host asked for a reply to a `reclaim` (sent even when nothing was given). */
  reclaimAnswer = false;
  /** When the last reply left. */
  lastFlush = performance.now();
  private flushScheduled = false;
  private lastHeap: number;
  private readonly deps: OutboxDeps;

  constructor(deps: OutboxDeps) {
    this.deps = deps;
    this.lastHeap = deps.trackHeap ? heapUsed() : 0;
  }

  /** Heap growth counts from now (the module and its initializer are not a task's). */
  resetHeap(): void {
    if (this.deps.trackHeap) this.lastHeap = heapUsed();
  }

  /** Queues a result (with its heap growth when tracked) and schedules a send. */
  push(result: WireResult): void {
    const settled = this.deps.events.settle(result);
    if (this.deps.trackHeap) {
      const now = heapUsed();
      if (settled.length === 5) settled.push(undefined);
      settled.push(now - this.lastHeap);
      this.lastHeap = now;
    }
    this.results.push(settled);
    this.scheduleFlush();
  }

  /** Queues a failure of job `id` (`index`: the failing item of a chunk). */
  fail(id: number, error: unknown, t0: number, blockMs: number, index?: number): void {
    const result: WireResult = [
      id,
      Outcome.Threw,
      encodeThrown(error),
      performance.now() - t0,
      blockMs,
    ];
    if (index !== undefined) result.push(index);
    this.push(result);
  }

  /** Sends on the next turn (once, however many replies are queued meanwhile). */
  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.deps.onFlushTurn());
  }

  /** Sends what is queued now (a send scheduled before still runs, and finds less). */
  sendPending(): void {
    this.flushScheduled = false;
    this.send(false);
  }

  /**
   * Sends the finished results. `final` (the thread or process is about to die) sends them
   * synchronously, with how many jobs were taken off the queue, even when there is no result.
   */
  send(final: boolean): void {
    const { port, events } = this.deps;
    if (events.pending)
      events.flush((final && port.postSync ? port.postSync : port.post).bind(port), this.results);
    if (
      this.results.length === 0 &&
      this.wentAsync.length === 0 &&
      this.given.length === 0 &&
      !final &&
      !this.reclaimAnswer
    ) {
      return;
    }
    const post = final && port.postSync ? port.postSync.bind(port) : port.post.bind(port);
    const results = this.results;
    const async = this.wentAsync;
    const back = this.given.length > 0 || this.reclaimAnswer ? this.given : undefined;
    this.results = [];
    this.wentAsync = [];
    this.given = [];
    this.reclaimAnswer = false;
    this.lastFlush = performance.now();
    const mark = final ? { ...this.deps.finalMark(), final: true } : undefined;
    const heap = this.deps.trackHeap && results.length > 0 ? { heap: this.lastHeap } : undefined;
    try {
      post({ mh: BRAND, k: 'results', results, async, given: back, ...mark, ...heap });
      if (port.emptiesPosted) for (const result of results) emptyChunkResults(result[2]);
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
  }
}
