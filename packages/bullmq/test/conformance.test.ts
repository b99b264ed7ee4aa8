/**
 * The shared conformance suite against real worker-node processes (`manyhands-worker`, started
 * here) on the test Redis. `liveWorkers` counts this process's connections to Redis: the
 * caller's side of a remote backend, which close()/terminate() must leave at zero.
 */
import { fixtureUrl, missingModuleUrl, runConformanceSuite } from '@manyhands/test-utils';
import { afterAll, beforeAll } from 'vitest';
import { createBullmqExecutor, startWorkerNodes, type WorkerNodeProcesses } from '../dist/index.js';
import { describeWithRedis, REDIS_URL, uniqueQueue } from './support/redis.js';
import { countConnectionsTo } from './support/redis-sockets.js';

const queues = {
  tasks: uniqueQueue('conformance'),
  streams: uniqueQueue('stream-tasks'),
  throwsOnLoad: uniqueQueue('throws-on-load'),
  missing: uniqueQueue('missing'),
  lifecycle: uniqueQueue('lifecycle'),
};
/** The queue whose nodes serve `module` (each fixture module has its own nodes). */
function queueFor(module: unknown): string {
  const href = module instanceof URL ? module.href : String(module);
  if (href.includes('throws-on-load')) return queues.throwsOnLoad;
  if (href.includes('stream-tasks')) return queues.streams;
  if (href.includes('does-not-exist')) return queues.missing;
  if (href.includes('lifecycle-tasks')) return queues.lifecycle;
  return queues.tasks;
}

let nodes: WorkerNodeProcesses | undefined;
let streamNodes: WorkerNodeProcesses | undefined;
let lifecycleNodes: WorkerNodeProcesses | undefined;

describeWithRedis('bullmq (conformance)', () => {
  beforeAll(async () => {
    // The suite's "script" tests create executors with no options: they read these.
    process.env.MANYHANDS_QUEUE = queues.tasks;
    nodes = await startWorkerNodes({
      tasks: fixtureUrl('tasks'),
      queue: queues.tasks,
      redis: REDIS_URL,
      count: 2,
    });
    streamNodes = await startWorkerNodes({
      tasks: fixtureUrl('stream-tasks'),
      queue: queues.streams,
      redis: REDIS_URL,
      count: 2,
    });
    lifecycleNodes = await startWorkerNodes({
      tasks: fixtureUrl('lifecycle-tasks'),
      queue: queues.lifecycle,
      redis: REDIS_URL,
      count: 2,
    });
    // Nodes whose module fails to load announce why, then exit: callers get ModuleLoadError.
    for (const [tasks, queue] of [
      [fixtureUrl('throws-on-load'), queues.throwsOnLoad],
      [missingModuleUrl(), queues.missing],
    ] as const) {
      await startWorkerNodes({ tasks, queue, redis: REDIS_URL }).then(
        () => {
          throw new Error(`a node serving ${tasks.href} started`);
        },
        () => {},
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all([nodes?.stop(), streamNodes?.stop(), lifecycleNodes?.stop()]);
  }, 30_000);

  runConformanceSuite({
    name: 'bullmq',
    create: (module, options) =>
      createBullmqExecutor(module, { redis: REDIS_URL, queue: queueFor(module), ...options }),
    isolated: true,
    remoteWorkers: true,
    liveWorkers: () => countConnectionsTo(Number(new URL(REDIS_URL as string).port || 6379)),
    script: {
      packageName: '@manyhands/bullmq',
      factory: 'createBullmqExecutor',
      dir: new URL('..', import.meta.url).pathname,
    },
  });
});
