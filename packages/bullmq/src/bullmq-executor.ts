/**
 * The host side of the BullMQ backend: a transport whose workers are virtual lanes that put
 * batches of tasks on a BullMQ queue, served by `manyhands-worker` nodes on any machine that
 * reaches the same Redis. Everything else (scheduling, chunking, errors, abort, stats) is
 * core's scheduler, exactly as with the local backends.
 */
import {
  createExecutor,
  type Executor,
  type ExecutorOptions,
  type ModuleSpecifier,
  type Transport,
  type WorkerEvents,
  type WorkerHandle,
  type WorkerInit,
  type WorkerSetupOptions,
} from '@manyhands/core';
import { chunkFloorFor, chunkTargetFor, chunkWorkersFor } from './chunk-sizing.js';
import { HostSession, type SessionConfig } from './host-session.js';
import { Lane } from './lane.js';
import { checkRedisTarget, defaultRedisTarget, type RedisTarget } from './redis-connection.js';
import { encodeSetup } from './wire.js';

/** Options of {@link createBullmqExecutor}. */
export interface BullmqOptions extends ExecutorOptions {
  /**
   * The BullMQ queue the worker nodes serve (`manyhands-worker --queue NAME`). Default:
   * `$MANYHANDS_QUEUE`; one of the two is required.
   */
  readonly queue?: string;
  /**
   * Where Redis is: a URL (`redis://user:password@host:6379/0`, `rediss://` for TLS) or ioredis
   * options (`{ host, port, username, password, tls }`). Default: `$MANYHANDS_REDIS_URL`, else
   * `redis://127.0.0.1:6379`.
   */
  readonly redis?: RedisTarget;
  /** BullMQ's key prefix (default `'bull'`); the nodes must use the same. */
  readonly prefix?: string;
  /**
   * How long work may wait while no worker node serves the queue, at the start or after every
   * node has gone, before it rejects (default 30 000 ms; `Infinity` waits for a node forever).
   */
  readonly nodeTimeout?: number;
  /** How long Redis may be unreachable before tasks in flight reject (default 10 000 ms). */
  readonly redisTimeout?: number;
}

const OWN_OPTIONS = ['queue', 'redis', 'prefix', 'nodeTimeout', 'redisTimeout'] as const;

/** Default number of lanes: batches in flight at once, to keep many remote cores busy. */
const DEFAULT_LANES = 16;

function checkName(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`Option "${name}" must be a non-empty string.`);
  }
  if (value.includes(':')) {
    throw new RangeError(`Option "${name}" must not contain ":" (BullMQ uses it in keys).`);
  }
}

function checkTimeout(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`Option "${name}" must be a number of milliseconds.`);
  }
  if (!(value > 0)) throw new RangeError(`Option "${name}" must be > 0, got ${value}.`);
}

function sessionConfig(options: BullmqOptions, module: string): SessionConfig {
  const queue = options.queue ?? process.env.MANYHANDS_QUEUE;
  if (queue === undefined || queue === '') {
    throw new TypeError(
      'Option "queue" is required (or set MANYHANDS_QUEUE): the queue your worker nodes serve.',
    );
  }
  checkName('queue', queue);
  const prefix = options.prefix ?? 'bull';
  checkName('prefix', prefix);
  const redis = options.redis ?? defaultRedisTarget();
  checkRedisTarget('redis', redis);
  checkTimeout('nodeTimeout', options.nodeTimeout);
  checkTimeout('redisTimeout', options.redisTimeout);
  return {
    queue,
    prefix,
    redis,
    module,
    nodeTimeout: options.nodeTimeout ?? 30_000,
    redisTimeout: options.redisTimeout ?? 10_000,
  };
}

/**
 * Options that need workers the executor owns: worker nodes run elsewhere, serve other callers
 * too, and are restarted by whatever runs them, so a memory limit is theirs to enforce.
 */
function checkNodeOwnedOptions(options: BullmqOptions): void {
  const limit = options.recycleAtMemoryMb;
  if (limit !== undefined && Number.isFinite(limit)) {
    throw new TypeError(
      'Option "recycleAtMemoryMb" is not available with @manyhands/bullmq: worker nodes are not ' +
        "the executor's to replace. Limit the nodes' memory where they run (manyhands-worker " +
        'under systemd, Kubernetes or pm2 with a memory limit, or node --max-old-space-size).',
    );
  }
  if (options.trackHeap === true) {
    throw new TypeError(
      'Option "trackHeap" is not available with @manyhands/bullmq: worker nodes do not report their heap.',
    );
  }
}

class BullmqTransport implements Transport {
  readonly name = 'bullmq';
  /** A lane is ready once a worker node serves the queue: nodes may come much later. */
  readonly defaultStartTimeoutMs = Number.POSITIVE_INFINITY;
  /** A task stuck on a remote node cannot be stopped from here; its result is just dropped. */
  readonly canInterrupt = false;
  /**
   * A batch costs ~1-2 ms of CPU across caller, Redis and node (local IPC: tens of µs) plus a
   * few round trips to Redis, so map chunks carry ~20 ms of work each on a fast link, and more
   * across a slow one (see `round-trip.ts`): read at every chunk, it follows the measured link.
   */
  get chunkTargetMs(): number {
    return chunkTargetFor(this.session?.roundTrip.ms);
  }
  /** Tail chunks worth two round trips to Redis, so the nodes are not left waiting for batches. */
  get chunkFloorMs(): number | undefined {
    return chunkFloorFor(this.session?.roundTrip.ms);
  }
  /** Two per node serving the queue, so a map is split for the machines, not the lanes. */
  get chunkWorkers(): number | undefined {
    return chunkWorkersFor(this.session?.servingNodes, this.options.workers ?? DEFAULT_LANES);
  }
  private readonly options: BullmqOptions;
  private config: SessionConfig | undefined;
  private session: HostSession | undefined;
  private nextLane = 1;

  constructor(options: BullmqOptions) {
    this.options = options;
  }

  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle {
    this.config ??= { ...sessionConfig(this.options, init.module), setup: encodeSetup(init) };
    if (!this.session || this.session.ended) this.session = new HostSession(this.config);
    const lane = new Lane(this.nextLane++, this.session, events);
    this.session.attach(lane);
    return lane;
  }
}

/**
 * Creates an executor whose tasks run on `manyhands-worker` nodes, on this machine or many,
 * through a BullMQ queue in Redis. Same API and semantics as the local backends: change the
 * import, start nodes with the same task module, done.
 *
 * @typeParam M - the task module's type: `typeof import('./tasks.js')`.
 * @param module - the task module, as on the local backends (the nodes load their own copy:
 *   only task names and arguments travel).
 * @example
 * ```ts
 * import { createBullmqExecutor } from '@manyhands/bullmq';
 * // on each machine: manyhands-worker --redis redis://… --queue fact --tasks ./dist/tasks.js
 * const pool = createBullmqExecutor<typeof import('./tasks.js')>(
 *   new URL('./tasks.js', import.meta.url),
 *   { queue: 'fact', redis: 'redis://:secret@redis.internal:6379' },
 * );
 * const results = await pool.map('factorial', inputs);
 * await pool.close();
 * ```
 */
export function createBullmqExecutor<M>(
  module: ModuleSpecifier,
  options: BullmqOptions & WorkerSetupOptions<M> = {},
): Executor<M> {
  const given: BullmqOptions = options;
  const withLanes =
    typeof given === 'object' && given !== null && !Array.isArray(given)
      ? { ...given, workers: given.workers ?? DEFAULT_LANES }
      : given;
  const executor = createExecutor<M>(
    new BullmqTransport(given ?? {}),
    module,
    withLanes,
    OWN_OPTIONS,
  );
  sessionConfig(given ?? {}, String(module));
  checkNodeOwnedOptions(given ?? {});
  return executor;
}
