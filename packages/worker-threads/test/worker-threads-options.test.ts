import { type FixtureTasks, fixtureUrl } from '@manyhands/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWorkerThreadsExecutor,
  type Executor,
  WorkerStartError,
  type WorkerThreadsOptions,
} from '../dist/index.js';

const TASKS = fixtureUrl('tasks');
const open: Executor<FixtureTasks>[] = [];
const make = (options: WorkerThreadsOptions) => {
  const pool = createWorkerThreadsExecutor<FixtureTasks>(TASKS, options);
  open.push(pool);
  return pool;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((pool) => pool.terminate()));
});

describe('worker-threads options', () => {
  it('passes env and execArgv to the workers', async () => {
    const pool = make({ workers: 1, env: { MANYHANDS_TEST: 'yes' }, execArgv: ['--no-warnings'] });
    expect(await pool.run('readEnv', 'MANYHANDS_TEST')).toBe('yes');
    expect(await pool.run('execArgv')).toStrictEqual(['--no-warnings']);
  });

  it('idleTimeout stops idle workers, and new work starts new ones', async () => {
    const pool = make({ workers: 2, idleTimeout: 50 });
    await Promise.all([pool.run('spin', 20), pool.run('spin', 20)]);
    expect(pool.stats().workers).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(pool.stats().workers).toBe(0);
    expect(await pool.run('square', 3)).toBe(9);
  });

  it('a worker that cannot start rejects the waiting calls with WorkerStartError', async () => {
    const pool = make({ workers: 1, execArgv: ['--definitely-not-a-node-flag'] });
    const error = (await pool.run('square', 2).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(WorkerStartError);
    expect(error.message).toContain('--definitely-not-a-node-flag');
  });

  it('rejects invalid backend options', () => {
    expect(() => make({ resourceLimits: { maxOldGenerationSizeMb: -1 } })).toThrow(RangeError);
    expect(() => make({ execArgv: 'x' as unknown as string[] })).toThrow(TypeError);
    expect(() => make({ env: 3 as unknown as Record<string, string> })).toThrow(TypeError);
  });

  it('balances a skewed map: the slow tail is spread over the workers', async () => {
    const pool = make({ workers: 2 });
    // Cheap items, then a slow tail: the chunks shrink as the input runs out.
    const inputs = Array.from({ length: 400 }, (_, i) => (i >= 380 ? 15 : 0));
    const results = await pool.map('spinAndTell', inputs);
    expect(results.length).toBe(400);
    expect(new Set(results.slice(380)).size).toBe(2);
  });
});

describe('worker-threads: typed worker-life options', () => {
  type Lifecycle = typeof import('@manyhands/test-utils/fixtures/lifecycle-tasks');
  const LIFECYCLE = fixtureUrl('lifecycle-tasks');

  it('checks initializer, initArgs and teardown against the module type', async () => {
    const pool = createWorkerThreadsExecutor<Lifecycle>(LIFECYCLE, {
      workers: 1,
      initializer: 'setUp',
      initArgs: ['hi', 2],
      teardown: 'tearDown',
    });
    try {
      expect((await pool.run('greet', 'you')).text).toBe('hihi you');
    } finally {
      await pool.close();
    }
    // A variable of the backend's options type still goes to a typed factory.
    const plain: WorkerThreadsOptions = { workers: 1 };
    await createWorkerThreadsExecutor<Lifecycle>(LIFECYCLE, plain).terminate();
    // Options as the typed factory takes them (never called with these: compile-time checks).
    type Typed = NonNullable<Parameters<typeof createWorkerThreadsExecutor<Lifecycle>>[1]>;
    const wrong: Typed[] = [
      // @ts-expect-error: initArgs that do not match setUp(label: string, times: number)
      { initializer: 'setUp', initArgs: [2, 'hi'] },
      // @ts-expect-error: setUp has required parameters: initArgs is required
      { initializer: 'setUp' },
      // @ts-expect-error: not an exported function
      { initializer: 'notAFunction' },
      // @ts-expect-error: teardown must be an exported function
      { teardown: 'nope' },
    ];
    expect(wrong.length).toBe(4);
  });
});
