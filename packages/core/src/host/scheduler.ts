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
 *
 * The class is built in layers, one file each: `scheduler-base.ts` (state, submitting,
 * settling and cancelling jobs), `scheduler-dispatch.ts` (handing jobs out, stealing),
 * `scheduler-workers.ts` (starting, idling, stopping and losing workers),
 * `scheduler-messages.ts` (what workers send), and here close, terminate and stats;
 * `scheduler-types.ts` names what they share.
 */
import { ExecutorTerminatedError } from '../wire/errors.js';
import { MessageHandlingScheduler } from './scheduler-messages.js';
import type { ExecutorStats } from './stats.js';

export type { JobSpec, SubmitOptions } from './scheduler-types.js';

/** The scheduler behind every executor. Backends construct it with their transport. */
export class Scheduler extends MessageHandlingScheduler {
  protected whenDrained(): Promise<void> {
    if (this.queued === 0 && this.running === 0 && this.activeStreams === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  protected whenAllExited(how: { force: boolean }): Promise<void> {
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
