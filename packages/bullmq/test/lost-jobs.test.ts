/**
 * A job Redis loses while its tasks wait (a failover to a replica that missed the last writes,
 * an evicted key, a job removed by hand in a dashboard): the caller adds it again, and every
 * call still settles with its one result. Simulated by deleting waiting jobs.
 */
import { Queue } from 'bullmq';
import { afterEach, expect, it } from 'vitest';
import { createBullmqExecutor } from '../dist/index.js';
import { NODE_TASKS, type NodeTasks, poll, startTestNodes } from './support/nodes.js';
import { describeWithRedis, inspector } from './support/redis.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describeWithRedis('bullmq: jobs lost in Redis', () => {
  it('waiting jobs deleted from Redis are added again; every call gets its one result', async () => {
    const nodes = await startTestNodes(1, ['--concurrency', '1']);
    cleanups.push(() => nodes.kill());
    const pool = createBullmqExecutor<NodeTasks>(NODE_TASKS, {
      redis: nodes.redis,
      queue: nodes.queue,
      workers: 8,
    });
    cleanups.push(() => pool.terminate());
    const client = inspector();
    const queue = new Queue(nodes.queue, { connection: client });
    cleanups.push(async () => {
      await queue.close();
      client.disconnect();
    });
    // One node running one job at a time: the other seven wait in Redis.
    const calls = Array.from({ length: 8 }, (_, i) => pool.run('sleep', 200, i));
    const waiting = await poll(async () => {
      const jobs = await queue.getWaiting();
      return jobs.length >= 4 ? jobs : undefined;
    }, 10_000);
    // Gone without a trace: no event, no result, as after a lossy failover.
    for (const job of waiting.slice(0, 3)) await client.del(queue.toKey(job.id as string));
    for (const job of waiting.slice(0, 3))
      await client.lrem(queue.toKey('wait'), 0, job.id as string);
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const stats = pool.stats();
    expect(stats.completed).toBe(8);
    expect(stats.failed).toBe(0);
  }, 30_000);
});
