/**
 * What happens when worker nodes die or stop: real node processes, killed or signalled
 * mid-run, with short stall detection.
 */
import { Queue } from 'bullmq';
import { afterEach, expect, it } from 'vitest';
import {
  createBullmqExecutor,
  type Executor,
  WorkerExitError,
  WorkerNodeLostError,
} from '../dist/index.js';
import {
  exitOf,
  FAST_STALLS,
  NODE_TASKS,
  type NodeTasks,
  poll,
  startTestNodes,
  type TestNodes,
} from './support/nodes.js';
import { describeWithRedis, inspector } from './support/redis.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function executor(nodes: TestNodes, options: Record<string, unknown> = {}): Executor<NodeTasks> {
  const pool = createBullmqExecutor<NodeTasks>(NODE_TASKS, {
    redis: nodes.redis,
    queue: nodes.queue,
    ...options,
  });
  cleanups.push(() => pool.terminate());
  return pool;
}

async function nodes(count: number, args: readonly string[] = FAST_STALLS): Promise<TestNodes> {
  const started = await startTestNodes(count, args);
  cleanups.push(() => started.kill());
  return started;
}

/** The pid of a node that holds an active job of `queue` right now. */
async function busyNodePid(queue: string): Promise<number> {
  const client = inspector();
  const q = new Queue(queue, { connection: client });
  try {
    return await poll(async () => {
      const active = await q.getActive();
      const by = active.find((job) => job.processedBy)?.processedBy;
      // Node ids are `<host>-<pid>-<random>`.
      return by ? Number(by.split('-').at(-2)) : undefined;
    }, 10_000);
  } finally {
    await q.close();
    client.disconnect();
  }
}

/** Whether a job of `queue` is still locked by node `pid` (it died holding it). */
async function heldBy(queue: string, pid: number): Promise<boolean> {
  const client = inspector();
  const q = new Queue(queue, { connection: client });
  try {
    const active = await q.getActive();
    return active.some((job) => Number(job.processedBy?.split('-').at(-2)) === pid);
  } finally {
    await q.close();
    client.disconnect();
  }
}

describeWithRedis('bullmq: worker nodes failing', () => {
  it('a node killed (SIGKILL) mid-map: its jobs run again elsewhere; every result arrives exactly once', async () => {
    const cluster = await nodes(4);
    const pool = executor(cluster);
    const inputs = Array.from({ length: 100_000 }, (_, i) => i);
    const mapping = pool.map('slowSquare', inputs);
    // A job can finish between finding a busy node and killing it: then kill another (at most
    // three of the four nodes), until one dies holding a job.
    let killedHolding = false;
    for (let attempt = 0; attempt < 3 && !killedHolding; attempt++) {
      const victim = await busyNodePid(cluster.queue);
      process.kill(victim, 'SIGKILL');
      killedHolding = await heldBy(cluster.queue, victim);
    }
    expect(killedHolding).toBe(true);
    const results = await mapping;
    expect(results.length).toBe(100_000);
    for (let i = 0; i < inputs.length; i++)
      if (results[i] !== i * i) expect(results[i]).toBe(i * i);
    const stats = pool.stats();
    expect(stats.completed).toBe(100_000);
    expect(stats.failed).toBe(0);
    // The victim held a job when it died: another node takes it over after the stall check.
    // Its results may all have arrived before it died (the job still active, not yet marked
    // done), so the map can end first: wait out the stall window (1 s lock, 0.5 s checks).
    const stalled = await poll(
      async () => (cluster.lines.some((line) => line.includes('stalled')) ? true : undefined),
      10_000,
    ).catch(() => false);
    expect(stalled).toBe(true);
    // Unordered imap yields each result once: a duplicate delivery would show here.
    const seen = new Map<number, number>();
    for await (const v of pool.imap('slowSquare', inputs.slice(0, 20_000), { ordered: false })) {
      seen.set(v, (seen.get(v) ?? 0) + 1);
    }
    expect(seen.size).toBe(20_000);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }, 60_000);

  it('a node killed mid-stream: the loop throws WorkerExitError after the parts it read, none twice; the stream is not replayed', async () => {
    const cluster = await nodes(2);
    const pool = executor(cluster);
    const parts: unknown[] = [];
    let error: unknown;
    try {
      for await (const part of pool.stream('pidThenTicks', 10_000, 5)) {
        parts.push(part);
        if (parts.length === 20) process.kill(parts[0] as number, 'SIGKILL');
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkerExitError);
    expect((error as Error).message).toContain('lost mid-stream');
    const ticks = parts.slice(1);
    expect(ticks.length).toBeGreaterThanOrEqual(19);
    expect(ticks).toStrictEqual(Array.from({ length: ticks.length }, (_, i) => i + 1));
    expect(await pool.run('slowSquare', 6)).toBe(36);
  }, 60_000);

  it('a task that kills every node it lands on fails with WorkerNodeLostError; the rest carries on', async () => {
    const cluster = await nodes(3, [...FAST_STALLS, '--max-stalled-count', '1']);
    const pool = executor(cluster);
    const error = await pool.run('killNode').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerNodeLostError);
    expect((error as WorkerNodeLostError).code).toBe('ERR_MANYHANDS_WORKER_EXIT');
    expect((error as Error).message).toContain('stalled more than allowable limit');
    // One node is left (each of the two attempts killed one).
    expect(await pool.run('slowSquare', 7)).toBe(49);
  }, 60_000);

  it('a task that throws runs once: errors are not retried blindly', async () => {
    const cluster = await nodes(1);
    const pool = executor(cluster);
    const error = (await pool.run('throwCounted', 'nope').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('nope');
    expect((error.cause as Error).message).toBe('root');
    expect(error.stack).toContain('throwCounted');
    expect(await pool.run('thrownCount')).toBe(1);
    // Retries are opt-in per call: two more runs, then the last error.
    const retried = pool.exec('throwCounted', ['again'], { retries: 2 });
    await expect(retried).rejects.toThrow('again');
    expect(await pool.run('thrownCount')).toBe(4);
  }, 30_000);

  it('SIGTERM: a node finishes the jobs it runs, then exits 0', async () => {
    const cluster = await nodes(1);
    const pool = executor(cluster);
    const running = pool.run('sleep', 800, 'finished');
    const pid = await busyNodePid(cluster.queue);
    const node = cluster.processes[0];
    expect(node?.pid).toBe(pid);
    process.kill(pid, 'SIGTERM');
    expect(await running).toBe('finished');
    expect(await exitOf(node as NonNullable<typeof node>)).toBe(0);
  }, 30_000);

  it('SIGTERM past --grace: a node hands its jobs back; another node runs them', async () => {
    const cluster = await nodes(1, [...FAST_STALLS, '--grace', '100']);
    const pool = executor(cluster);
    // Long enough that the first node cannot finish it while the second one starts (a loaded
    // machine takes seconds to start a node): only the hand-back can get it to the second.
    const running = pool.run('sleepThenPid', 6_000);
    const first = await busyNodePid(cluster.queue);
    const [second] = await cluster.add(1);
    process.kill(first, 'SIGTERM');
    expect(await running).toBe(second?.pid);
    expect(await exitOf(cluster.processes[0] as NonNullable<(typeof cluster.processes)[0]>)).toBe(
      0,
    );
    expect(cluster.lines.some((line) => line.includes('handed 1 unfinished jobs back'))).toBe(true);
  }, 30_000);

  it('every node gone mid-run: tasks in flight reject after nodeTimeout instead of hanging', async () => {
    const cluster = await nodes(1);
    const pool = executor(cluster, { nodeTimeout: 500 });
    const running = pool.run('sleep', 60_000);
    await busyNodePid(cluster.queue);
    await cluster.kill();
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerNodeLostError);
    expect((error as Error).message).toContain('no worker node has served queue');
  }, 30_000);
});
