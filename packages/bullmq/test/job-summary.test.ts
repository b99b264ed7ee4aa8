/** What a person watching the queue (Bull Board, redis-cli) sees of a job: its name and `about`. */
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createBullmqExecutor } from '../dist/index.js';
import { describeBatch } from '../dist/job-summary.js';
import { NODE_TASKS, type NodeTasks, poll, startTestNodes } from './support/nodes.js';
import { describeWithRedis, inspector } from './support/redis.js';

describe('bullmq: job summaries', () => {
  it('says in words what a batch holds', () => {
    expect(describeBatch([[1, 0, 'noop', []]])).toBe('noop: 1 call');
    expect(
      describeBatch([
        [1, 0, 'noop', []],
        [2, 0, 'noop', []],
        [3, 0, 'pid', []],
      ]),
    ).toBe('noop ×2, pid: 3 calls');
    expect(describeBatch([[4, 1, 'factorial', [1, 2, 3]]])).toBe('factorial: map chunk of 3 items');
    expect(describeBatch([[5, 2, 'factorial', [1, 2], 'add']])).toBe(
      'factorial: map chunk of 2 items, folded with add',
    );
    expect(describeBatch([[6, 4, 'add', [[1, 2]]]])).toBe('add: starmap chunk of 1 items');
    expect(describeBatch([[7, 3, '', [1n, 2n], 'add']])).toBe('fold of 2 values with add');
  });
});

describeWithRedis('bullmq: jobs as a dashboard shows them', () => {
  it('a job is named after its task and says what it holds', async () => {
    const nodes = await startTestNodes(1);
    const pool = createBullmqExecutor<NodeTasks>(NODE_TASKS, {
      redis: nodes.redis,
      queue: nodes.queue,
    });
    const client = inspector();
    const queue = new Queue(nodes.queue, { connection: client });
    try {
      const running = pool.run('sleep', 1_500, 'done');
      const job = await poll(async () => (await queue.getActive())[0], 10_000);
      expect(job.name).toBe('sleep');
      expect(job.data.about).toBe('sleep: 1 call');
      expect(job.data.c).toEqual(expect.any(String));
      expect(await running).toBe('done');
    } finally {
      await queue.close();
      client.disconnect();
      await pool.close();
      await nodes.kill();
    }
  }, 30_000);
});
