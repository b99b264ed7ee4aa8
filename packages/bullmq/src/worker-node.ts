/**
 * A worker node: takes jobs from a BullMQ queue and runs them on core's worker runtime with the
 * node's own task module. A job names tasks and carries arguments, never code, and the runtime
 * only runs exported functions of that module: an unknown name is answered with
 * `UnknownTaskError`. The `manyhands-worker` CLI is a thin shell around {@link startWorkerNode}.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { decodeThrown, ModuleLoadError, type ModuleSpecifier, toModuleUrl } from '@manyhands/core';
import { type Job, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { BatchRunner } from './batch-runner.js';
import { fetcherConcurrencies } from './fetchers.js';
import {
  CALLER_TTL_MS,
  LOAD_ERROR_TTL_MS,
  NODE_HEARTBEAT_MS,
  NODE_TTL_MS,
  queueKeys,
} from './keys.js';
import { announceNode, type NodeAnnouncement, withdrawNode } from './node-registry.js';
import {
  createRedisClient,
  defaultRedisTarget,
  describeRedis,
  type RedisTarget,
  whenReady,
} from './redis-connection.js';
import { decodeJobs, encodeNodeMessage, type NodeMessage, NodeMessageKind } from './wire.js';

/** Options of {@link startWorkerNode} (and flags of `manyhands-worker`). */
export interface WorkerNodeOptions {
  /** The task module to serve: a path or a `file:` URL. */
  readonly tasks: ModuleSpecifier;
  /** The queue to serve. */
  readonly queue: string;
  /** Redis URL or ioredis options (default: `$MANYHANDS_REDIS_URL`, else loopback). */
  readonly redis?: RedisTarget;
  /** BullMQ's key prefix (default `'bull'`); callers must use the same. */
  readonly prefix?: string;
  /**
   * BullMQ jobs (batches of tasks) run at once (default 8). Sync tasks take turns on the node's
   * one thread whatever this says; raise it for IO-bound tasks. Run one node per core for CPU.
   */
  readonly concurrency?: number;
  /** BullMQ `lockDuration`: a job whose lock is not renewed for this long is stalled (default 30 000 ms). */
  readonly lockDuration?: number;
  /** BullMQ `stalledInterval`: how often this node looks for stalled jobs (default 30 000 ms). */
  readonly stalledInterval?: number;
  /** BullMQ `maxStalledCount`: stalls a job survives before it fails (default 1). */
  readonly maxStalledCount?: number;
  /** Receives one line per event worth logging (default: no logging). */
  readonly log?: (line: string) => void;
}

/** A running worker node. */
export interface WorkerNode {
  /** The node's id in Redis and in BullMQ's `processedBy`. */
  readonly id: string;
  /** The tasks it serves: the module's exported functions. */
  readonly tasks: readonly string[];
  /**
   * Stops taking jobs, lets running ones finish for up to `graceMs` (default 30 000), hands the
   * others back to the queue (another node runs them at once), then disconnects. Called again
   * with `0` while closing, it hands back at once.
   */
  close(graceMs?: number): Promise<void>;
}

/** Log line prefix, and what the node prints once it serves (the process helper waits for it). */
export const SERVING_MARK = ' serving queue ';

const PUSH_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1`;

type PushClient = Redis & {
  mhPush(caller: string, results: string, ttl: number, ...messages: Buffer[]): Promise<number>;
};

function checkCount(name: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`Option "${name}" must be an integer >= ${min}, got ${String(value)}.`);
  }
}

/**
 * Starts a worker node in this process: connects to Redis, loads the task module, announces
 * itself and serves jobs until closed. Rejects with `RedisConnectionError` when Redis cannot
 * be reached and `ModuleLoadError` when the module fails to load (callers see that error too).
 *
 * @example
 * ```ts
 * const node = await startWorkerNode({ tasks: './dist/tasks.js', queue: 'fact' });
 * process.once('SIGTERM', () => void node.close());
 * ```
 */
export async function startWorkerNode(options: WorkerNodeOptions): Promise<WorkerNode> {
  const module = toModuleUrl(options.tasks);
  if (typeof options.queue !== 'string' || !options.queue || options.queue.includes(':')) {
    throw new TypeError('Option "queue" must be a non-empty string without ":".');
  }
  checkCount('concurrency', options.concurrency, 1);
  checkCount('lockDuration', options.lockDuration, 1);
  checkCount('stalledInterval', options.stalledInterval, 1);
  checkCount('maxStalledCount', options.maxStalledCount, 0);
  const target = options.redis ?? defaultRedisTarget();
  const prefix = options.prefix ?? 'bull';
  const keys = queueKeys(prefix, options.queue);
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? 8;
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const where = describeRedis(target);

  const client = createRedisClient(target, `manyhands:node:${id}`) as PushClient;
  await whenReady(client, target);
  let lastError = 0;
  client.on('error', (error: Error) => {
    // Reconnects are automatic; say so once in a while, not on every retry.
    if (Date.now() - lastError > 5_000) log(`Redis at ${where}: ${error.message} (retrying)`);
    lastError = Date.now();
  });
  client.defineCommand('mhPush', { numberOfKeys: 2, lua: PUSH_SCRIPT });

  const send = async (caller: string, messages: Buffer[]): Promise<boolean> =>
    (await client.mhPush(keys.caller(caller), keys.results(caller), CALLER_TTL_MS, ...messages)) ===
    1;
  const runner = new BatchRunner(module, send);
  const announcement = {
    id,
    host: hostname(),
    pid: process.pid,
    module,
    tasks: [] as readonly string[],
    concurrency,
  };
  let tasks: readonly string[];
  try {
    tasks = await runner.ready;
  } catch (encoded) {
    const loadError = encoded as NodeAnnouncement['loadError'];
    await announceNode(client, keys, { ...announcement, loadError }, LOAD_ERROR_TTL_MS).catch(
      () => {},
    );
    client.disconnect();
    throw new ModuleLoadError(module, decodeThrown(loadError as NonNullable<typeof loadError>));
  }
  const serving: NodeAnnouncement = { ...announcement, tasks };

  const subscriber = client.duplicate();
  subscriber.on('error', () => {});
  try {
    await whenReady(subscriber, target);
  } catch (error) {
    client.disconnect();
    throw error;
  }
  subscriber.on('message', (_channel: string, raw: string) => {
    try {
      const message = JSON.parse(raw) as {
        c?: unknown;
        ids?: unknown;
        j?: unknown;
        credit?: unknown;
      };
      if (typeof message.c !== 'string') return;
      if (Array.isArray(message.credit)) {
        // A caller read parts of a stream: `[id, n]`, n more parts for its task `id`.
        runner.credit(message.c, Number(message.credit[0]), Number(message.credit[1]));
        return;
      }
      runner.cancel(message.c, {
        ids: Array.isArray(message.ids) ? (message.ids as number[]) : undefined,
        job: typeof message.j === 'string' ? message.j : undefined,
      });
    } catch {
      // not ours
    }
  });
  await subscriber.subscribe(keys.cancel);

  const active = new Map<string, { job: Job; token: string | undefined }>();
  let jobsServed = 0;
  const processJob = async (job: Job, token?: string): Promise<void> => {
    const { caller, jobs, setup } = decodeJobs(job.data);
    const jobId = job.id as string;
    active.set(jobId, { job, token });
    jobsServed++;
    try {
      // Started before: its node was lost (a stall), and BullMQ runs it again.
      await runner.run(caller, jobId, jobs, { rerun: job.attemptsStarted > 1, setup });
    } finally {
      active.delete(jobId);
    }
  };
  // Several BullMQ workers share the node's concurrency (see `fetchers.ts`), and its thread.
  const workers = fetcherConcurrencies(concurrency).map(
    (share) =>
      new Worker(options.queue, processJob, {
        connection: client,
        prefix,
        concurrency: share,
        name: id,
        autorun: false,
        // Only what was given: BullMQ's defaults would be overwritten by `undefined`.
        ...(options.lockDuration !== undefined && { lockDuration: options.lockDuration }),
        ...(options.stalledInterval !== undefined && { stalledInterval: options.stalledInterval }),
        ...(options.maxStalledCount !== undefined && { maxStalledCount: options.maxStalledCount }),
      }),
  );
  const lastSaid = new Map<string, number>();
  const logOnce = (line: string): void => {
    const now = Date.now();
    if (now - (lastSaid.get(line) ?? Number.NEGATIVE_INFINITY) < 5_000) return;
    if (lastSaid.size > 100) lastSaid.clear();
    lastSaid.set(line, now);
    log(line);
  };
  const notify = (job: Job | undefined, message: NodeMessage): void => {
    const caller = (job?.data as { c?: unknown } | undefined)?.c;
    if (typeof caller !== 'string') return;
    send(caller, [encodeNodeMessage(message)]).catch(() => {});
  };
  for (const worker of workers) {
    worker.on('completed', (job) => notify(job, [NodeMessageKind.Done, job.id as string]));
    worker.on('failed', (job, error) => {
      log(`job ${job?.id ?? '?'} failed: ${error.message}`);
      if (job) notify(job, [NodeMessageKind.Failed, job.id as string, error.message]);
    });
    worker.on('stalled', (jobId) =>
      log(`job ${jobId} stalled (its node died or blocked longer than lockDuration): requeued`),
    );
    // Every worker passes on the shared connection's errors: say each once in a while.
    worker.on('error', (error) => logOnce(`BullMQ: ${error.message}`));
  }

  await announceNode(client, keys, serving, NODE_TTL_MS);
  const heartbeat = setInterval(() => {
    announceNode(client, keys, serving, NODE_TTL_MS).catch(() => {});
  }, NODE_HEARTBEAT_MS);
  let reported = { jobs: 0, tasks: 0 };
  const report = setInterval(() => {
    if (jobsServed === reported.jobs) return;
    log(
      `served ${jobsServed - reported.jobs} jobs (${runner.tasksRun - reported.tasks} tasks) ` +
        `in the last 10 s; ${runner.running} running`,
    );
    reported = { jobs: jobsServed, tasks: runner.tasksRun };
  }, 10_000);
  report.unref();
  for (const worker of workers) {
    worker.run().catch((error: unknown) => log(`BullMQ worker stopped: ${String(error)}`));
  }
  try {
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  } catch (error) {
    // Not serving after all: leave nothing running that would keep announcing this node.
    clearInterval(heartbeat);
    clearInterval(report);
    await Promise.all(workers.map((worker) => worker.close(true).catch(() => {})));
    await withdrawNode(client, keys, id).catch(() => {});
    subscriber.disconnect();
    client.disconnect();
    throw error;
  }
  log(
    `manyhands-worker ${id}:${SERVING_MARK}"${options.queue}" at ${where} with ${tasks.length} ` +
      `tasks from ${module} (${tasks.join(', ')}); concurrency ${concurrency}, pid ${process.pid}`,
  );

  let closing: Promise<void> | undefined;
  let endGrace: (() => void) | undefined;
  const close = (graceMs = 30_000): Promise<void> => {
    if (closing) {
      // A second, shorter close (a second SIGTERM): hand back now.
      if (graceMs === 0) endGrace?.();
      return closing;
    }
    closing = (async () => {
      clearInterval(heartbeat);
      clearInterval(report);
      await withdrawNode(client, keys, id).catch(() => {});
      log(`stopping: ${active.size} jobs running, waiting up to ${graceMs} ms for them`);
      const closed = Promise.all(workers.map((worker) => worker.close())).then(() => {});
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<boolean>((resolve) => {
        endGrace = () => resolve(true);
        timer = setTimeout(endGrace, graceMs);
      });
      if (await Promise.race([closed.then(() => false), graceOver])) {
        const left = [...active.values()];
        await Promise.all(
          left.map(async ({ job, token }) => {
            // Back to the queue at once, rather than after another node's stall check.
            await job.moveToWait(token).catch(() => {});
            runner.abandon(job.id as string, new WaitingError());
          }),
        );
        log(`handed ${left.length} unfinished jobs back to the queue`);
      }
      clearTimeout(timer);
      await closed;
      await runner.stop();
      await subscriber.quit().catch(() => subscriber.disconnect());
      await client.quit().catch(() => client.disconnect());
      log('stopped');
    })();
    return closing;
  };
  return { id, tasks, close };
}
