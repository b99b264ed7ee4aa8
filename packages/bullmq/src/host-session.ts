/**
 * A caller's connection to one queue, shared by all lanes of an executor: adds batches as BullMQ
 * jobs, reads results from the caller's own Redis list, asks nodes to cancel tasks, and watches
 * for the failures a distributed backend adds (Redis unreachable or restarted empty, no worker
 * node left), rejecting the tasks in flight with a clear error instead of hanging.
 */
import { randomBytes } from 'node:crypto';
import type { EncodedThrown, WireJob } from '@manyhands/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisConnectionError, WorkerNodeLostError } from './errors.js';
import { describeBatch } from './job-summary.js';
import { CALLER_TTL_MS, type QueueKeys, queueKeys } from './keys.js';
import type { Lane } from './lane.js';
import { readNodes } from './node-registry.js';
import {
  createRedisClient,
  describeRedis,
  type RedisTarget,
  setClientRef,
  whenReady,
} from './redis-connection.js';
import { RoundTripMeter } from './round-trip.js';
import { decodeNodeMessage, type JobData, type NodeMessage, NodeMessageKind } from './wire.js';

/** How often the session renews its marker and checks Redis and the nodes. */
const HEARTBEAT_MS = 1_000;
/** How often it looks for a first worker node while none has announced itself. */
const NODE_POLL_MS = 100;
/** Most node messages read per round trip. */
const READ_COUNT = 1_000;
/**
 * How long closing waits for jobs that nodes still run (sync code cannot be interrupted; its
 * node removes the job when it finishes) and for Redis, before it disconnects anyway.
 */
const CLEANUP_MS = 5_000;

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

/** One batch of tasks sent as one BullMQ job, until the job is gone from Redis. */
export interface Batch {
  /** The BullMQ job id. */
  readonly id: string;
  readonly lane: Lane;
  /** Tasks (scheduler job ids) still waiting for a result. */
  readonly pending: Set<number>;
  /** Whether the job is known to be in Redis (its `add` resolved). */
  added: boolean;
  /** Whether some of its tasks were cancelled (nodes are asked again until the job is gone). */
  cancelled: boolean;
  /** Whether the job was missing from Redis at the last heartbeat (see `recoverLostJobs`). */
  missing: boolean;
  /** The job's name and encoded data, to add it again if a failover loses it. */
  readonly name: string;
  readonly data: string;
  readonly about: string;
}

type State = 'opening' | 'open' | 'failed' | 'closing' | 'closed';

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref());

/** The connection of one executor to one queue. */
export class HostSession {
  /** This caller's id: prefix of its job ids, suffix of its keys. */
  readonly id = randomBytes(9).toString('base64url');
  /** The round trip to Redis, timed on commands the session sends anyway. */
  readonly roundTrip = new RoundTripMeter();
  private readonly config: SessionConfig;
  private readonly keys: QueueKeys;
  private readonly client: Redis;
  private readonly blocker: Redis;
  private queue: Queue | undefined;
  private state: State = 'opening';
  private failure: unknown;
  private tasks: readonly string[] | undefined;
  private looking = false;
  private readonly lanes = new Set<Lane>();
  private readonly batches = new Map<string, Batch>();
  private nextBatch = 0;
  private refs = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating = false;
  private downSince: number | undefined;
  private unreachable: RedisConnectionError | undefined;
  private noNodeSince: number | undefined;
  /** Jobs added again after Redis lost them (see `recoverLostJobs`). */
  jobsAddedAgain = 0;
  /** Worker nodes serving the queue when last looked (each heartbeat while work is in flight). */
  servingNodes: number | undefined;
  private closing: Promise<void> | undefined;
  private onAllFinished: (() => void) | undefined;

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

  private where(): string {
    return describeRedis(this.config.redis);
  }

  private async open(): Promise<void> {
    try {
      await Promise.all([
        whenReady(this.client, this.config.redis),
        whenReady(this.blocker, this.config.redis),
      ]);
      for (const client of [this.client, this.blocker]) {
        // Errors surface through commands and the outage watch; without a listener ioredis prints them.
        client.on('error', () => {});
        client.on('connect', () => setClientRef(client, this.refs > 0));
      }
      this.client.on('close', () => {
        this.downSince ??= performance.now();
      });
      this.client.on('ready', () => this.onReconnect());
      setClientRef(this.client, this.refs > 0);
      setClientRef(this.blocker, this.refs > 0);
      this.queue = new Queue(this.config.queue, {
        connection: this.client,
        prefix: this.config.prefix,
      });
      this.queue.on('error', () => {});
      await this.queue.waitUntilReady();
      // Three timed round trips: map chunks are sized for the link before the first heartbeat.
      for (let i = 0; i < 3; i++) await this.timed(() => this.client.ping());
      await this.client.set(this.keys.caller(this.id), '1', 'PX', CALLER_TTL_MS);
      if (this.state !== 'opening') return; // closed while opening
      this.state = 'open';
      this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
      this.heartbeat.unref();
      void this.readResults();
      void this.lookForNodes();
    } catch (error) {
      this.fail(error);
    }
  }

  /** The session cannot start: every lane dies with `error`, and the session is closed. */
  private fail(error: unknown): void {
    if (this.state === 'closing' || this.state === 'closed' || this.state === 'failed') return;
    this.state = 'failed';
    this.failure = error;
    this.client.disconnect();
    this.blocker.disconnect();
    for (const lane of [...this.lanes]) lane.die(error);
  }

  /** A lane joins; it becomes ready as soon as a worker node serves the queue. */
  attach(lane: Lane): void {
    this.lanes.add(lane);
    this.refs++;
    if (this.refs === 1) this.applyRef();
    queueMicrotask(() => {
      if (this.state === 'failed') lane.die(this.failure);
      else if (this.tasks) lane.becomeReady(this.tasks);
      else if (this.state === 'open') void this.lookForNodes();
    });
  }

  /** A lane left; the last one out cleans this caller's keys and disconnects. */
  detach(lane: Lane): Promise<void> {
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

  private applyRef(): void {
    setClientRef(this.client, this.refs > 0);
    setClientRef(this.blocker, this.refs > 0);
  }

  /** Waits for a first worker node, then tells the lanes which tasks exist. */
  private async lookForNodes(): Promise<void> {
    if (this.looking || this.tasks) return;
    this.looking = true;
    const start = performance.now();
    try {
      while (this.state === 'open' && this.lanes.size > 0) {
        const nodes = await readNodes(this.client, this.keys);
        const serving = nodes.filter((node) => !node.loadError);
        if (serving.length > 0) {
          this.servingNodes = serving.length;
          this.tasks = [...new Set(serving.flatMap((node) => node.tasks))];
          for (const lane of this.lanes) lane.becomeReady(this.tasks);
          return;
        }
        const broken = nodes.find((node) => node.loadError);
        if (broken) {
          for (const lane of [...this.lanes]) lane.loadFailed(broken.loadError as EncodedThrown);
          return;
        }
        if (performance.now() - start > this.config.nodeTimeout) {
          throw new Error(
            `no manyhands worker node serves queue "${this.config.queue}" at ${this.where()} ` +
              `(waited ${this.config.nodeTimeout} ms). Start one: manyhands-worker --redis <url> ` +
              `--queue ${this.config.queue} --tasks <path of ${this.config.module}>`,
          );
        }
        await delay(NODE_POLL_MS);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.looking = false;
    }
  }

  /** Adds one batch as a BullMQ job. */
  submit(lane: Lane, jobs: readonly WireJob[], data: string): void {
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
    lane.batches.add(batch);
    for (const job of jobs) lane.where.set(job[0], batch);
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

  private addJob(queue: Queue, batch: Batch): Promise<unknown> {
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
  private async recoverLostJobs(): Promise<void> {
    const queue = this.queue;
    const batches = [...this.batches.values()].filter((b) => b.added);
    if (!queue || batches.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const batch of batches) pipeline.exists(queue.toKey(batch.id));
    const replies = (await pipeline.exec()) ?? [];
    for (const [i, batch] of batches.entries()) {
      const [error, exists] = replies[i] ?? [null, 1];
      if (error || exists !== 0) {
        batch.missing = false;
        continue;
      }
      if (!batch.missing) {
        batch.missing = true;
        continue;
      }
      batch.missing = false;
      if (!this.batches.has(batch.id)) continue;
      // Every result arrived, only the "done" was lost: the job is finished.
      if (batch.pending.size === 0) this.finish(batch);
      else {
        await this.addJob(queue, batch);
        this.jobsAddedAgain++;
      }
    }
  }

  /** The scheduler cancelled tasks (abort, timeout): nodes drop them; waiting jobs go. */
  cancel(lane: Lane, ids: readonly number[]): void {
    const touched = new Set<Batch>();
    for (const id of ids) {
      const batch = lane.where.get(id);
      if (!batch) continue;
      lane.where.delete(id);
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
  abandon(lane: Lane): void {
    const ids = [...lane.where.keys()];
    for (const batch of [...lane.batches]) {
      for (const id of batch.pending) ids.push(id);
      batch.pending.clear();
      batch.cancelled = true;
      if (batch.added) void this.tryRemove(batch);
    }
    lane.where.clear();
    if (ids.length > 0) this.publishCancel(ids);
  }

  /** A stream task's caller read `n` parts: the node running it may produce `n` more. */
  credit(lane: Lane, id: number, n: number): void {
    if (this.state !== 'open' || !lane.where.has(id)) return;
    this.client
      .publish(this.keys.cancel, JSON.stringify({ c: this.id, credit: [id, n] }))
      .catch(() => {});
  }

  private publishCancel(ids: readonly number[] | undefined): void {
    if (this.state !== 'open') return;
    this.client.publish(this.keys.cancel, JSON.stringify({ c: this.id, ids })).catch(() => {});
  }

  /** Removes a job that is still waiting (fails quietly when a node holds it). */
  private async tryRemove(batch: Batch): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    try {
      if ((await queue.remove(batch.id)) === 1) this.finish(batch);
    } catch {
      // Redis is unreachable: the outage watch takes over.
    }
  }

  /** A batch is gone from Redis; tasks still waiting in it reject with `error`. */
  private finish(batch: Batch, error?: unknown): void {
    if (!this.batches.delete(batch.id)) return;
    const left = [...batch.pending];
    batch.pending.clear();
    if (left.length > 0) {
      batch.lane.fail(
        left,
        error ??
          new RedisConnectionError(
            `The results of ${left.length} task(s) were lost in Redis at ${this.where()} ` +
              '(it restarted, was flushed or evicted keys).',
          ),
      );
    }
    batch.lane.batchFinished(batch);
    if (this.batches.size === 0) this.onAllFinished?.();
  }

  /** Rejects every task in flight with `error` (their jobs are abandoned in Redis). */
  private failInFlight(error: unknown, removeJobs: boolean): void {
    for (const batch of [...this.batches.values()]) {
      if (removeJobs && batch.added) void this.queue?.remove(batch.id).catch(() => 0);
      this.finish(batch, error);
    }
  }

  /** Reads node messages from this caller's list until the session closes. */
  private async readResults(): Promise<void> {
    const key = this.keys.results(this.id);
    // Runs on while closing: nodes still report the jobs they finish.
    while (this.state === 'open' || this.state === 'closing') {
      let reply: [Buffer, Buffer[]] | null;
      try {
        reply = (await this.blocker.blmpopBuffer(0, 1, key, 'LEFT', 'COUNT', READ_COUNT)) as
          | [Buffer, Buffer[]]
          | null;
      } catch {
        if ((this.state as State) === 'closed') return;
        await delay(50);
        continue;
      }
      if (!reply) continue;
      for (const buffer of reply[1]) {
        let message: NodeMessage;
        try {
          message = decodeNodeMessage(buffer);
        } catch {
          continue;
        }
        this.dispatch(message);
      }
    }
  }

  private dispatch(message: NodeMessage): void {
    const batch = this.batches.get(message[1]);
    if (!batch) return; // finished, or abandoned by a terminated lane
    switch (message[0]) {
      case NodeMessageKind.Results:
        batch.lane.deliver(batch, message[2], message[3]);
        break;
      case NodeMessageKind.Events:
        batch.lane.deliverEvents(batch, message[2]);
        break;
      case NodeMessageKind.Done:
        this.finish(batch);
        break;
      case NodeMessageKind.Failed:
        this.finish(batch, new WorkerNodeLostError(message[2]));
        break;
    }
  }

  /** Redis is back after an outage: did it keep our state? */
  private onReconnect(): void {
    if (this.state !== 'open') return;
    this.downSince = undefined;
    this.unreachable = undefined;
    void this.checkState();
  }

  /** Runs one command, recording its round trip. */
  private async timed<T>(command: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const result = await command();
    this.roundTrip.record(performance.now() - start);
    return result;
  }

  /** Renews the caller marker; a missing marker means Redis lost this caller's jobs and results. */
  private async checkState(): Promise<void> {
    const key = this.keys.caller(this.id);
    const renewed = await this.timed(() => this.client.set(key, '1', 'PX', CALLER_TTL_MS, 'XX'));
    if (renewed !== null || this.state !== 'open') return;
    this.failInFlight(
      new RedisConnectionError(
        `Redis at ${this.where()} lost this executor's jobs and results (it restarted without ` +
          'persistence, or its keys were flushed or evicted): the tasks in flight were rejected.',
      ),
      false,
    );
    await this.client.set(key, '1', 'PX', CALLER_TTL_MS);
  }

  private async beat(): Promise<void> {
    if (this.beating || this.state !== 'open') return;
    this.beating = true;
    try {
      if (this.downSince !== undefined) {
        const down = performance.now() - this.downSince;
        if (down > this.config.redisTimeout && !this.unreachable) {
          this.unreachable = new RedisConnectionError(
            `Redis at ${this.where()} has been unreachable for ${Math.round(down)} ms ` +
              `(redisTimeout: ${this.config.redisTimeout} ms).`,
          );
          this.failInFlight(this.unreachable, false);
        }
        return;
      }
      await this.checkState();
      if (this.batches.size > 0) await this.watchNodes();
      await this.recoverLostJobs();
      for (const batch of this.batches.values()) {
        // A cancel published while the job waited was missed by its node: say it again.
        if (batch.cancelled && batch.added) {
          this.client
            .publish(this.keys.cancel, JSON.stringify({ c: this.id, j: batch.id }))
            .catch(() => {});
        }
      }
    } catch {
      // Redis went away mid-beat: the outage watch takes over.
    } finally {
      this.beating = false;
    }
  }

  /** Rejects the work in flight once no worker node has been alive for `nodeTimeout`. */
  private async watchNodes(): Promise<void> {
    const nodes = await readNodes(this.client, this.keys);
    const serving = nodes.filter((node) => !node.loadError).length;
    if (serving > 0) this.servingNodes = serving;
    if (serving > 0) {
      this.noNodeSince = undefined;
      return;
    }
    this.noNodeSince ??= performance.now();
    const waited = performance.now() - this.noNodeSince;
    if (waited > this.config.nodeTimeout) {
      this.noNodeSince = undefined;
      this.failInFlight(
        new WorkerNodeLostError(
          `no worker node has served queue "${this.config.queue}" for ${Math.round(waited)} ms ` +
            `(nodeTimeout: ${this.config.nodeTimeout} ms)`,
        ),
        true,
      );
    }
  }

  /** Removes what this caller left in Redis, then disconnects. */
  private close(): Promise<void> {
    if (this.closing) return this.closing;
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.closing = (async () => {
      if (wasOpen && this.queue) {
        const queue = this.queue;
        const cleanup = (async () => {
          const left = [...this.batches.values()];
          if (left.length > 0) {
            // Waiting jobs go now; nodes drop what they have not started and report the rest.
            const allFinished = new Promise<void>((resolve) => {
              this.onAllFinished = resolve;
            });
            await this.client.publish(this.keys.cancel, JSON.stringify({ c: this.id }));
            for (const batch of left) void this.tryRemove(batch);
            await allFinished;
          }
          await this.client.del(this.keys.caller(this.id), this.keys.results(this.id));
          await queue.close();
        })();
        await Promise.race([cleanup.catch(() => {}), delay(CLEANUP_MS)]);
      }
      this.batches.clear();
      this.client.disconnect();
      this.blocker.disconnect();
      this.state = 'closed';
    })();
    return this.closing;
  }
}
