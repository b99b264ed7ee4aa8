/** The scheduler's dispatch: hands queued jobs to workers by estimated load, sends each worker its batch, and takes unstarted work back from a busy worker for an idle one. */
import { findUncloneablePath } from '../wire/clone-path.js';
import { NotCloneableError } from '../wire/errors.js';
import { BRAND, JobKind, type WireJob } from '../wire/protocol.js';
import { pickWorker, planSteal, type StealCandidate, type VictimView } from './load-balance.js';
import { SchedulerBase, STEAL_MIN_MS } from './scheduler-base.js';
import { isChunkKind, type Job, type Slot } from './scheduler-types.js';

/** Layer 2 of the {@link Scheduler}: dispatch and work stealing. */
export abstract class DispatchingScheduler extends SchedulerBase {
  protected pump(): void {
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
  protected dispatch(): void {
    const limits = {
      concurrency: this.options.concurrency,
      maxLoadMs: this.maxLoadMs,
      maxChunkLoadMs: this.chunkLoadCap(),
      maxChunks: this.maxChunks,
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
  protected stealForIdle(): void {
    for (const thief of this.slots) {
      if (!thief.available || thief.held.size > 0) continue;
      if (!this.steal()) return;
    }
  }

  /** Takes back unstarted jobs from the busiest worker, to run on an idle one. */
  protected steal(): boolean {
    const victims: Slot[] = [];
    const views: VictimView[] = [];
    for (const slot of this.slots) {
      if (slot.exited || slot.killReason || slot.held.size < 2) continue;
      // Calls are priced when sent, so their load says at once whether a steal can pay; only a
      // worker holding map chunks (a few dozen at most) is re-priced, which keeps this cheap on
      // the tail of a burst of tiny calls.
      if (slot.chunks === 0 && slot.load < STEAL_MIN_MS) continue;
      if (!slot.holeSettled()) continue;
      // A worker holding map chunks is re-priced as estimated now (a costly stretch of a map is
      // known once its first chunk is back); calls are read as priced when sent, in place — a
      // worker may hold tens of thousands of them on the tail of a burst.
      const held = slot.held;
      const jobs: Iterable<StealCandidate> =
        slot.chunks > 0
          ? [...held.values()].map((job) => ({
              seq: job.seq,
              cost: job.cost > 0 ? this.costOf(job.spec) : 0,
            }))
          : { [Symbol.iterator]: () => held.values() };
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
  protected takeBack(slot: Slot, jobs: Job[]): void {
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
  protected flush(slot: Slot): void {
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
  protected spinAfterSend(jobs: readonly WireJob[]): void {
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

  protected rejectUnsendable(slot: Slot, wire: WireJob, error: unknown): void {
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

  protected liveSlots(): number {
    let n = 0;
    for (const slot of this.slots) if (!slot.retiring) n++;
    return n;
  }

  protected spawnAsNeeded(): void {
    let live = this.liveSlots();
    let idle = 0;
    for (const slot of this.slots) if (!slot.retiring && slot.held.size === 0) idle++;
    while (live < this.options.workers && this.queued > idle) {
      if (!this.spawn()) return;
      live++;
      idle++;
    }
  }

  /** Lets the worker running `Stream` job `job` produce `n` more parts. */
  protected grant(slot: Slot, job: Job, n: number): void {
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

  protected abstract spawn(): boolean;
}
