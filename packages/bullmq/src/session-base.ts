/** The caller session's state and books: its lanes, the batches in Redis and which batch each task travels in. */
import { randomBytes } from 'node:crypto';
import type { WireJob } from '@manyhands/core';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisConnectionError } from './errors.js';
import { describeBatch } from './job-summary.js';
import { type QueueKeys, queueKeys } from './keys.js';
import type { Batch, LaneSession, LaneSink } from './lane-contract.js';
import {
  createRedisClient,
  describeRedis,
  type RedisTarget,
  setClientRef,
} from './redis-connection.js';
import { RoundTripMeter } from './round-trip.js';
import type { JobData } from './wire.js';

/** How often the session renews its marker and checks Redis and the nodes. */
export const HEARTBEAT_MS = 1_000;
/** How often it looks for a first worker node while none has announced itself. */
export const NODE_POLL_MS = 100;
/** Most node messages read per round trip. */
export const READ_COUNT = 1_000;
/**
 * How long closing waits for jobs that nodes still run (sync code cannot be interrupted; its
 * node removes the job when it finishes) and for Redis, before it disconnects anyway.
 */
export const CLEANUP_MS = 5_000;

/** What a session needs to know. */
export interface SessionConfig {
  readonly redis: RedisTarget;
  readonly queue: string;
  readonly prefix: string;
  /** How long work may wait with no live worker node before it is rejected. */
  readonly nodeTimeout: number;
  /** How long Redis may be unreachable before work in flight is rejected. */
  readonly redisTimeout: number;
  /** The caller's task module, for messages. */
  readonly module: string;
  /** The caller's worker setup for its nodes (`JobData.s`), when it has one. */
  readonly setup?: string;
}

export type State = 'opening' | 'open' | 'failed' | 'closing' | 'closed';

export const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The connection of one executor to one queue. */
/** Which batches a lane has in Redis, and which batch each of its tasks travels in. */
export interface LaneBooks {
  readonly batches: Set<Batch>;
  readonly where: Map<number, Batch>;
}

/** Layer 1 of the {@link HostSession}: its state, its lanes and their books, adding and finishing batches. */
export abstract class SessionBase implements LaneSession {
  /** This caller's id: prefix of its job ids, suffix of its keys. */
  readonly id = randomBytes(9).toString('base64url');
  /** The round trip to Redis, timed on commands the session sends anyway. */
  readonly roundTrip = new RoundTripMeter();

  protected readonly config: SessionConfig;

  protected readonly keys: QueueKeys;

  protected readonly client: Redis;

  protected readonly blocker: Redis;

  protected queue: Queue | undefined;

  protected state: State = 'opening';

  protected failure: unknown;

  protected tasks: readonly string[] | undefined;
  protected looking = false;
  /** The lanes attached, with their books. */
  protected readonly lanes = new Map<LaneSink, LaneBooks>();
  protected readonly batches = new Map<string, Batch>();
  protected nextBatch = 0;
  protected refs = 0;

  protected heartbeat: NodeJS.Timeout | undefined;
  protected beating = false;

  protected downSince: number | undefined;

  protected unreachable: RedisConnectionError | undefined;

  protected noNodeSince: number | undefined;
  /** Jobs added again after Redis lost them (see `recoverLostJobs`). */
  jobsAddedAgain = 0;

  /** Worker nodes serving the queue when last looked (each heartbeat while work is in flight). */
  servingNodes: number | undefined;

  protected closing: Promise<void> | undefined;

  protected onAllFinished: (() => void) | undefined;

  constructor(config: SessionConfig) {
    this.config = config;
    this.keys = queueKeys(config.prefix, config.queue);
    this.client = createRedisClient(config.redis, `manyhands:caller:${this.id}`);
    this.blocker = createRedisClient(config.redis, `manyhands:caller:${this.id}:results`);
    void this.open();
  }

  /** Whether new lanes must go to a new session. */
  get ended(): boolean {
    return this.state === 'closing' || this.state === 'closed' || this.state === 'failed';
  }

  protected where(): string {
    return describeRedis(this.config.redis);
  }

  /** The session cannot start: every lane dies with `error`, and the session is closed. */
  protected fail(error: unknown): void {
    if (this.state === 'closing' || this.state === 'closed' || this.state === 'failed') return;
    this.state = 'failed';
    this.failure = error;
    this.client.disconnect();
    this.blocker.disconnect();
    for (const lane of [...this.lanes.keys()]) lane.die(error);
  }

  /** A lane joins; it becomes ready as soon as a worker node serves the queue. */
  attach(lane: LaneSink): void {
    this.lanes.set(lane, { batches: new Set(), where: new Map() });
    this.refs++;
    if (this.refs === 1) this.applyRef();
    queueMicrotask(() => {
      if (this.state === 'failed') lane.die(this.failure);
      else if (this.tasks) lane.becomeReady(this.tasks);
      else if (this.state === 'open') void this.lookForNodes();
    });
  }

  /** A lane left; the last one out cleans this caller's keys and disconnects. */
  detach(lane: LaneSink): Promise<void> {
    this.lanes.delete(lane);
    if (this.lanes.size > 0) return Promise.resolve();
    return this.close();
  }

  /** Counts lanes that hold work: while none do, the sockets do not keep the process alive. */
  ref(delta: number): void {
    const before = this.refs;
    this.refs += delta;
    if ((before === 0) !== (this.refs === 0)) this.applyRef();
  }

  protected applyRef(): void {
    setClientRef(this.client, this.refs > 0);
    setClientRef(this.blocker, this.refs > 0);
  }

  /** Adds one batch as a BullMQ job. */
  submit(lane: LaneSink, jobs: readonly WireJob[], data: string): void {
    const id = `${this.id}-${++this.nextBatch}`;
    const batch: Batch = {
      id,
      lane,
      pending: new Set(jobs.map((job) => job[0])),
      added: false,
      cancelled: false,
      missing: false,
      name: (jobs[0] as WireJob)[2],
      data,
      about: describeBatch(jobs),
    };
    this.batches.set(id, batch);
    const books = this.booksOf(lane);
    books.batches.add(batch);
    for (const job of jobs) books.where.set(job[0], batch);
    const queue = this.queue;
    if (this.unreachable || !queue) {
      const error = this.unreachable ?? new RedisConnectionError('The session is not connected.');
      queueMicrotask(() => this.finish(batch, error));
      return;
    }
    this.addJob(queue, batch).then(
      () => {
        batch.added = true;
        if (batch.pending.size === 0 && this.batches.has(id)) void this.tryRemove(batch);
      },
      (error: unknown) =>
        this.finish(
          batch,
          new RedisConnectionError(
            `Could not add a job to queue "${this.config.queue}" at ${this.where()}: ${
              error instanceof Error ? error.message : String(error)
            }`,
            { cause: error },
          ),
        ),
    );
  }

  protected addJob(queue: Queue, batch: Batch): Promise<unknown> {
    const setup = this.config.setup;
    const jobData: JobData =
      setup === undefined
        ? { c: this.id, w: batch.data, about: batch.about }
        : { c: this.id, w: batch.data, about: batch.about, s: setup };
    return queue.add(batch.name, jobData, {
      jobId: batch.id,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  /**
   * Adds again the jobs Redis no longer has while their tasks still wait for results: a
   * failover to a replica that had not yet received the last writes (replication is
   * asynchronous), evicted keys, a job removed by hand in a dashboard. A job must be missing at
   * two heartbeats in a row, so one that just finished (its last message still on its way) is
   * not run again for nothing. Its tasks may run twice; the caller still takes each result once.
   * A missing job whose results all arrived (only its "done" was lost) is finished.
   */

  /** The scheduler cancelled tasks (abort, timeout): nodes drop them; waiting jobs go. */
  cancel(lane: LaneSink, ids: readonly number[]): void {
    const touched = new Set<Batch>();
    const { where } = this.booksOf(lane);
    for (const id of ids) {
      const batch = where.get(id);
      if (!batch) continue;
      where.delete(id);
      batch.pending.delete(id);
      batch.cancelled = true;
      touched.add(batch);
    }
    if (touched.size === 0) return;
    this.publishCancel(ids);
    for (const batch of touched) {
      if (batch.pending.size === 0 && batch.added) void this.tryRemove(batch);
    }
  }

  /** A lane was killed: its waiting jobs are removed and nodes drop its running tasks. */
  abandon(lane: LaneSink): void {
    const { batches, where } = this.booksOf(lane);
    const ids = [...where.keys()];
    for (const batch of [...batches]) {
      for (const id of batch.pending) ids.push(id);
      batch.pending.clear();
      batch.cancelled = true;
      if (batch.added) void this.tryRemove(batch);
    }
    where.clear();
    if (ids.length > 0) this.publishCancel(ids);
  }

  batchesHeld(lane: LaneSink): number {
    return this.lanes.get(lane)?.batches.size ?? 0;
  }

  /** A lane's books (empty ones for a lane that already left: nothing is kept for it). */
  protected booksOf(lane: LaneSink): LaneBooks {
    return this.lanes.get(lane) ?? { batches: new Set(), where: new Map() };
  }

  /** A stream task's caller read `n` parts: the node running it may produce `n` more. */
  credit(lane: LaneSink, id: number, n: number): void {
    if (this.state !== 'open' || !this.booksOf(lane).where.has(id)) return;
    this.client
      .publish(this.keys.cancel, JSON.stringify({ c: this.id, credit: [id, n] }))
      .catch(() => {});
  }

  protected publishCancel(ids: readonly number[] | undefined): void {
    if (this.state !== 'open') return;
    this.client.publish(this.keys.cancel, JSON.stringify({ c: this.id, ids })).catch(() => {});
  }

  /** Removes a job that is still waiting (fails quietly when a node holds it). */
  protected async tryRemove(batch: Batch): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    try {
      if ((await queue.remove(batch.id)) === 1) this.finish(batch);
    } catch {
      // Redis is unreachable: the outage watch takes over.
    }
  }

  /** A batch is gone from Redis; tasks still waiting in it reject with `error`. */
  protected finish(batch: Batch, error?: unknown): void {
    if (!this.batches.delete(batch.id)) return;
    const left = [...batch.pending];
    batch.pending.clear();
    const books = this.booksOf(batch.lane);
    if (left.length > 0) {
      for (const id of left) books.where.delete(id);
      batch.lane.fail(
        left,
        error ??
          new RedisConnectionError(
            `The results of ${left.length} task(s) were lost in Redis at ${this.where()} ` +
              '(it restarted, was flushed or evicted keys).',
          ),
      );
    }
    books.batches.delete(batch);
    batch.lane.batchFinished();
    if (this.batches.size === 0) this.onAllFinished?.();
  }

  /** Rejects every task in flight with `error` (their jobs are abandoned in Redis). */
  protected failInFlight(error: unknown, how: { removeJobs: boolean }): void {
    for (const batch of [...this.batches.values()]) {
      if (how.removeJobs && batch.added) void this.queue?.remove(batch.id).catch(() => 0);
      this.finish(batch, error);
    }
  }

  protected abstract open(): Promise<void>;
  protected abstract close(): Promise<void>;
  protected abstract lookForNodes(): Promise<void>;
}
