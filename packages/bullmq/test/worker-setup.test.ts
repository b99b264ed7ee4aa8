/**
 * `initializer`, `initArgs` and `teardown` on worker nodes: a node runs each distinct setup
 * once, before the first batch that carries it, and the teardowns of the setups it ran when it
 * stops politely (SIGTERM). Real node processes on the test Redis.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureUrl } from '@manyhands/test-utils';
import { afterEach, expect, it } from 'vitest';
import { createBullmqExecutor } from '../dist/index.js';
import { exitOf, startTestNodes } from './support/nodes.js';
import { describeWithRedis, REDIS_URL } from './support/redis.js';

type Lifecycle = typeof import('@manyhands/test-utils/fixtures/lifecycle-tasks');
const LIFECYCLE = fixtureUrl('lifecycle-tasks');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describeWithRedis('bullmq: worker setup on nodes', () => {
  it('each node runs a setup once for every caller that shares it, and its teardown on SIGTERM', async () => {
    const marker = join(tmpdir(), `manyhands-node-setup-${randomUUID()}.txt`);
    cleanups.push(async () => rmSync(marker, { force: true }));
    const nodes = await startTestNodes(2, [], REDIS_URL as string, LIFECYCLE);
    cleanups.push(() => nodes.kill());
    const options = {
      redis: REDIS_URL,
      queue: nodes.queue,
      initializer: 'setUp',
      initArgs: ['n', 2, marker],
      teardown: 'tearDown',
    } as const;
    const first = createBullmqExecutor<Lifecycle>(LIFECYCLE, options);
    const second = createBullmqExecutor<Lifecycle>(LIFECYCLE, options);
    cleanups.push(() => Promise.all([first.terminate(), second.terminate()]));
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 ? first : second).run('greet', String(i))),
    );
    for (const [i, result] of results.entries()) {
      expect(result.text).toBe(`nn ${i}`);
      // Two callers with the same setup: it ran once on each node.
      expect(result.initializations).toBe(1);
    }
    await Promise.all([first.close(), second.close()]);
    expect(existsSync(marker)).toBe(false);
    // SIGTERM: the nodes stop politely and tear down what they set up.
    await Promise.all(
      nodes.processes.map((child) => {
        const exited = exitOf(child);
        child.kill('SIGTERM');
        return exited;
      }),
    );
    const torn = readFileSync(marker, 'utf8').split('\n').filter(Boolean);
    const tokens = new Set(results.map((r) => r.token));
    for (const token of tokens) expect(torn).toContain(`torn down ${token}`);
    expect(torn.length).toBe(new Set(torn).size);
  }, 60_000);

  it('refuses the options that need workers the executor owns', () => {
    expect(() =>
      createBullmqExecutor(LIFECYCLE, { redis: REDIS_URL, queue: 'q', recycleAtMemoryMb: 256 }),
    ).toThrow(/not available with @manyhands\/bullmq/);
    expect(() =>
      createBullmqExecutor(LIFECYCLE, { redis: REDIS_URL, queue: 'q', trackHeap: true }),
    ).toThrow(TypeError);
  });
});
