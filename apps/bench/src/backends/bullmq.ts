/**
 * Registry entry: `@manyhands/bullmq`. Each case gets its own queue, `workers` worker nodes
 * (`manyhands-worker` processes) and, unless MANYHANDS_REDIS_URL names one, a private Redis;
 * closing the executor stops them all.
 */
import { randomUUID } from 'node:crypto';
import { createBullmqExecutor, startWorkerNodes } from '@manyhands/bullmq';
import { hasRedisServer, type PrivateRedis, startPrivateRedis } from '../redis-server.js';
import type { BackendEntry } from '../registry.js';

/** The distributed backend, with Redis and its worker nodes on this machine. */
export const backend: BackendEntry = {
  name: 'bullmq',
  order: 50,
  parallel: true,
  available: async () =>
    process.env.MANYHANDS_REDIS_URL || hasRedisServer()
      ? { ok: true }
      : { ok: false, reason: 'no Redis: install redis-server or set MANYHANDS_REDIS_URL' },
  async create<M>(module: URL, workers: number) {
    const redis: PrivateRedis | undefined = process.env.MANYHANDS_REDIS_URL
      ? undefined
      : await startPrivateRedis();
    const url = process.env.MANYHANDS_REDIS_URL ?? (redis as PrivateRedis).url;
    const queue = `manyhands-bench-${randomUUID()}`;
    const nodes = await startWorkerNodes({
      tasks: module,
      queue,
      redis: url,
      count: workers,
    }).catch((error: unknown) => {
      redis?.stop();
      throw error;
    });
    const executor = createBullmqExecutor<M>(module, { queue, redis: url });
    const stopAll = async (): Promise<void> => {
      await nodes.stop();
      redis?.stop();
    };
    const close = executor.close.bind(executor);
    const terminate = executor.terminate.bind(executor);
    Object.assign(executor, {
      close: async () => {
        await close();
        await stopAll();
      },
      terminate: async () => {
        await terminate();
        await stopAll();
      },
    });
    return executor;
  },
};
