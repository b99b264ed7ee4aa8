/**
 * Auth and what a node agrees to run: password- and ACL-protected Redis, wrong credentials,
 * and jobs forged straight into the queue (names a module does not export, data that is not a
 * batch). A job carries a task name and arguments, never code.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import {
  createBullmqExecutor,
  type Executor,
  UnknownTaskError,
  WorkerStartError,
} from '../dist/index.js';
import { decodeNodeMessage, encodeJobs } from '../dist/wire.js';
import { NODE_TASKS, type NodeTasks, poll, startTestNodes } from './support/nodes.js';
import { describeWithRedis, REDIS_URL, startOwnRedis } from './support/redis.js';

const CLI = fileURLToPath(new URL('../dist/entry/worker-node-cli.js', import.meta.url));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function executor(options: Record<string, unknown>): Executor<NodeTasks> {
  const pool = createBullmqExecutor<NodeTasks>(NODE_TASKS, options);
  cleanups.push(() => pool.terminate());
  return pool;
}

function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, MANYHANDS_REDIS_URL: '', ...env }, timeout: 20_000 },
      (error, _stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stderr }),
    );
  });
}

describeWithRedis('bullmq: auth and what nodes run', () => {
  it('password- and ACL-protected Redis: nodes and callers authenticate; wrong or no credentials fail clearly', async () => {
    const redis = await startOwnRedis(['requirepass s3cret-pass']);
    cleanups.push(() => redis.kill());
    const admin = new Redis(redis.url, { password: 's3cret-pass' });
    await admin.acl('SETUSER', 'app', 'on', '>app-pass', '~*', '&*', '+@all');
    admin.disconnect();
    const host = `127.0.0.1:${redis.port}`;
    const nodes = await startTestNodes(1, [], `redis://:s3cret-pass@${host}`);
    cleanups.push(() => nodes.kill());
    // An ACL user, with ioredis options instead of a URL.
    const pool = executor({
      redis: { host: '127.0.0.1', port: redis.port, username: 'app', password: 'app-pass' },
      queue: nodes.queue,
    });
    expect(await pool.run('slowSquare', 6)).toBe(36);

    for (const [url, reason] of [
      [`redis://app:wrong-pass@${host}`, 'WRONGPASS'],
      [`redis://${host}`, 'NOAUTH'],
    ] as const) {
      const denied = executor({ redis: url, queue: nodes.queue });
      const error = (await denied.run('pid').catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(WorkerStartError);
      expect(error.message).toContain(reason);
      expect(error.message).not.toContain('wrong-pass');
      const cli = await runCli(['--queue', 'q', '--tasks', fileURLToPath(NODE_TASKS)], {
        MANYHANDS_REDIS_URL: url,
      });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(reason);
      expect(cli.stderr).not.toContain('wrong-pass');
    }
  }, 60_000);

  it('the CLI exits non-zero with a clear message when Redis is unreachable or the usage is wrong', async () => {
    const unreachable = await runCli([
      '--redis',
      'redis://127.0.0.1:1',
      '--queue',
      'q',
      '--tasks',
      fileURLToPath(NODE_TASKS),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('Cannot connect to Redis at redis://127.0.0.1:1');
    const usage = await runCli(['--queue', 'q']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--tasks is required');
    // A malformed URL is wrong usage too, whatever its scheme.
    for (const url of ['redis+sentinel://', 'memcached://127.0.0.1:1']) {
      const malformed = await runCli([
        '--redis',
        url,
        '--queue',
        'q',
        '--tasks',
        fileURLToPath(NODE_TASKS),
      ]);
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toMatch(
        /needs at least one sentinel host:port|must be a redis:\/\//,
      );
    }
  }, 30_000);

  it('a node refuses task names its module does not export, and data that is not a batch', async () => {
    const nodes = await startTestNodes(1);
    cleanups.push(() => nodes.kill());
    const client = new Redis(REDIS_URL as string);
    const queue = new Queue(nodes.queue, { connection: client });
    cleanups.push(async () => {
      await queue.obliterate({ force: true });
      await queue.close();
      client.disconnect();
    });
    // Forge a caller: its liveness key, and a job with names that are not exported tasks.
    const caller = 'forged-caller';
    const base = `bull:${nodes.queue}:mh`;
    await client.set(`${base}:caller:${caller}`, '1', 'PX', 30_000);
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'notExported'];
    await queue.add(
      'forged',
      { c: caller, w: encodeJobs(names.map((name, i) => [i + 1, 0, name, []])) },
      { jobId: 'forged-1' },
    );
    const replies: unknown[][] = [];
    while (replies.flatMap((m) => m[2] as unknown[]).length < names.length) {
      const popped = await client.blpopBuffer(`${base}:results:${caller}`, 10);
      expect(popped).not.toBeNull();
      const message = decodeNodeMessage((popped as [Buffer, Buffer])[1]) as unknown as unknown[];
      if (message[0] === 0) replies.push(message);
    }
    const results = replies.flatMap((m) => m[2] as [number, number, { name: string }][]);
    expect(results.map((r) => r[1])).toStrictEqual(names.map(() => 1)); // Outcome.Threw
    for (const result of results) expect(result[2].name).toBe(UnknownTaskError.name);
    // Data that is not a batch fails that job only; the node keeps serving.
    await queue.add('forged', { code: 'process.exit(1)' }, { jobId: 'forged-2' });
    const pool = executor({ redis: REDIS_URL, queue: nodes.queue });
    expect(await pool.run('slowSquare', 5)).toBe(25);
    // The node may take the forged job after the call's: wait for BullMQ to record it failed.
    const failed = await poll(async () => {
      const jobs = await queue.getFailed();
      return jobs.length > 0 ? jobs : undefined;
    }, 10_000);
    expect(failed.map((job) => job.failedReason)).toStrictEqual([
      'Not a manyhands job: its data lacks the caller id and the batch.',
    ]);
  }, 30_000);
});
