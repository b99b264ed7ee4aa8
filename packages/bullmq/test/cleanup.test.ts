/**
 * What an executor leaves in Redis: after close() or terminate(), nothing of its own (no job,
 * no results list, no marker). Only the queue's shared keys stay (BullMQ's meta, events stream
 * and id counter, and the node registry while nodes run).
 */
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { createBullmqExecutor, type Executor, TaskTimeoutError } from '../dist/index.js';
import { NODE_TASKS, type NodeTasks, startTestNodes } from './support/nodes.js';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Keys of the queue that are not shared by every caller. */
async function leftovers(queue: string): Promise<string[]> {
  const client = new Redis(REDIS_URL as string);
  try {
    const keys = await client.keys(`bull:${queue}:*`);
    const shared = new Set(['meta', 'events', 'id', 'stalled-check', 'mh:nodes']);
    return keys
      .map((key) => key.slice(`bull:${queue}:`.length))
      .filter((rest) => !shared.has(rest) && !rest.startsWith('mh:node:'))
      .sort();
  } finally {
    client.disconnect();
  }
}

async function busyExecutor(): Promise<{ pool: Executor<NodeTasks>; queue: string }> {
  const nodes = await startTestNodes(2);
  cleanups.push(() => nodes.kill());
  const pool = createBullmqExecutor<NodeTasks>(NODE_TASKS, {
    redis: REDIS_URL,
    queue: nodes.queue,
  });
  cleanups.push(() => pool.terminate());
  expect(
    await pool.map(
      'slowSquare',
      Array.from({ length: 20_000 }, (_, i) => i),
    ),
  ).toHaveLength(20_000);
  await Promise.all(Array.from({ length: 500 }, (_, i) => pool.run('slowSquare', i)));
  // A task given up on (its node still runs it), and one that failed.
  await expect(pool.exec('sleep', [2_000], { timeout: 50 })).rejects.toBeInstanceOf(
    TaskTimeoutError,
  );
  await expect(pool.run('throwCounted', 'x')).rejects.toThrow('x');
  return { pool, queue: nodes.queue };
}

describeWithRedis('bullmq: what stays in Redis', () => {
  it('close() leaves no job, results list or marker of the executor behind', async () => {
    const { pool, queue } = await busyExecutor();
    await pool.close();
    expect(await leftovers(queue)).toStrictEqual([]);
  }, 60_000);

  it('terminate() with work running and queued leaves nothing behind either', async () => {
    const { pool, queue } = await busyExecutor();
    const pending = [
      pool.run('sleep', 30_000),
      ...Array.from({ length: 50 }, () => pool.run('slowSquare', 1, 50_000)),
    ];
    const outcomes = Promise.allSettled(pending);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pool.terminate();
    await outcomes;
    expect(await leftovers(queue)).toStrictEqual([]);
  }, 60_000);
});
