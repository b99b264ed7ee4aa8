/**
 * What happens when Redis fails: a private redis-server per test, killed and restarted under
 * real worker nodes. Whatever happens, calls settle: they recover or reject with a clear error.
 */
import { afterEach, expect, it } from 'vitest';
import {
  createBullmqExecutor,
  type Executor,
  RedisConnectionError,
  WorkerStartError,
} from '../dist/index.js';
import { FAST_STALLS, NODE_TASKS, type NodeTasks, startTestNodes } from './support/nodes.js';
import { describeWithRedis, freePort, type OwnRedis, startOwnRedis } from './support/redis.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function ownRedis(): Promise<OwnRedis> {
  const redis = await startOwnRedis();
  cleanups.push(() => redis.kill());
  return redis;
}

function executor(options: Record<string, unknown>): Executor<NodeTasks> {
  const pool = createBullmqExecutor<NodeTasks>(NODE_TASKS, options);
  cleanups.push(() => pool.terminate());
  return pool;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('bullmq: Redis failing', () => {
  it('Redis restarted empty mid-run: tasks in flight reject with RedisConnectionError; new work runs', async () => {
    const redis = await ownRedis();
    const nodes = await startTestNodes(2, FAST_STALLS, redis.url);
    cleanups.push(() => nodes.kill());
    const pool = executor({ redis: redis.url, queue: nodes.queue });
    expect(await pool.run('slowSquare', 3)).toBe(9);
    const slow = pool.run('sleep', 5_000, 'late');
    const mapping = pool.map(
      'slowSquare',
      Array.from({ length: 200_000 }, (_, i) => i),
    );
    await sleep(300);
    await redis.kill();
    await sleep(300);
    await redis.start();
    const [slowError, mapError] = await Promise.all([
      slow.catch((e: unknown) => e),
      mapping.catch((e: unknown) => e),
    ]);
    for (const error of [slowError, mapError]) {
      expect(error).toBeInstanceOf(RedisConnectionError);
      expect((error as RedisConnectionError).code).toBe('ERR_MANYHANDS_REDIS');
      expect((error as Error).message).toMatch(/lost this executor's jobs|were lost/);
    }
    // The nodes reconnect and announce themselves again: the executor works on.
    expect(await pool.run('slowSquare', 4)).toBe(16);
    expect(await pool.map('slowSquare', [1, 2, 3])).toStrictEqual([1, 4, 9]);
  }, 60_000);

  it('retries never retry RedisConnectionError: a task lost when Redis restarted empty rejects', async () => {
    const redis = await ownRedis();
    const nodes = await startTestNodes(2, FAST_STALLS, redis.url);
    cleanups.push(() => nodes.kill());
    const pool = executor({ redis: redis.url, queue: nodes.queue });
    expect(await pool.run('slowSquare', 3)).toBe(9);
    // With retries, a lost task would run again once Redis is back, and resolve.
    const slow = pool.exec('sleep', [3_000, 'late'], { retries: 3 });
    await sleep(300);
    await redis.kill();
    await sleep(300);
    await redis.start();
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as RedisConnectionError).code).toBe('ERR_MANYHANDS_REDIS');
    expect(await pool.run('slowSquare', 4)).toBe(16);
  }, 60_000);

  it('Redis gone for good: tasks in flight reject after redisTimeout, new calls reject, close() returns', async () => {
    const redis = await ownRedis();
    const nodes = await startTestNodes(1, FAST_STALLS, redis.url);
    cleanups.push(() => nodes.kill());
    const pool = executor({ redis: redis.url, queue: nodes.queue, redisTimeout: 1_000 });
    expect(await pool.run('slowSquare', 3)).toBe(9);
    const slow = pool.run('sleep', 30_000);
    await sleep(100);
    await redis.kill();
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as Error).message).toContain('has been unreachable for');
    const later = await pool.run('slowSquare', 5).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(RedisConnectionError);
    await pool.close();
  }, 60_000);

  it('Redis unreachable at the start: calls reject with WorkerStartError naming the address', async () => {
    const port = await freePort();
    const pool = executor({
      redis: `redis://user:secret@127.0.0.1:${port}`,
      queue: 'nowhere',
    });
    const error = (await pool.run('pid').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error.message).toContain(
      `Cannot connect to Redis at redis://user:***@127.0.0.1:${port}`,
    );
    expect(error.message).not.toContain('secret');
    // Still answers (with the same error), does not hang.
    await expect(pool.run('pid')).rejects.toBeInstanceOf(WorkerStartError);
  }, 30_000);

  it('no worker node on the queue: calls reject after nodeTimeout, saying how to start one', async () => {
    const redis = await ownRedis();
    const pool = executor({ redis: redis.url, queue: 'unserved', nodeTimeout: 300 });
    const error = (await pool.run('pid').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error.message).toContain('no manyhands worker node serves queue "unserved"');
    expect(error.message).toContain('manyhands-worker --redis');
  }, 30_000);
});
