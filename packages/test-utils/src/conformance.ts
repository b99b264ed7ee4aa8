/**
 * The conformance suite: one spec every backend runs against itself with real workers.
 * A backend's test file is one call: `runConformanceSuite({ name, create, ... })`.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Executor,
  ExecutorClosedError,
  ExecutorTerminatedError,
  failedInputIndex,
  ModuleLoadError,
  NotCloneableError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkerExitError,
  withOptions,
  workerIdsOf,
} from '@manyhands/core';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { fixtureUrl, missingModuleUrl } from './fixture-urls.js';
import type * as Tasks from './fixtures/tasks.js';
import { hardeningCases } from './hardening-cases.js';
import { lifecycleCases } from './lifecycle-cases.js';
import { runLoadCases } from './load-cases.js';
import { runStartCases } from './start-cases.js';
import { runStreamCases, type StreamFixtureTasks } from './stream-cases.js';

/** The task module type of the fixtures. */
export type FixtureTasks = typeof Tasks;

/** How the suite drives one backend. */
export interface ConformanceTarget {
  /** Backend name, used in test titles. */
  readonly name: string;
  /** Creates an executor of this backend. */
  create<M>(module: URL | string, options?: Record<string, unknown>): Executor<M>;
  /**
   * Whether workers are isolated from the caller: a crash, `process.exit` or a stuck loop
   * affects only the worker. False for the inline backend.
   */
  readonly isolated: boolean;
  /** Counts this backend's live workers in the OS (threads or child processes). */
  liveWorkers(): number;
  /** Whether `transfer` moves buffers (worker_threads). */
  readonly transfers?: boolean;
  /** Options under which `exhaustMemory` kills the worker quickly, when the backend has limits. */
  readonly memoryLimitOptions?: Record<string, unknown>;
  /** For the "a script exits by itself" test: the package to import and its factory's name. */
  readonly script?: {
    readonly packageName: string;
    readonly factory: string;
    readonly dir: string;
  };
  /** Workers to use in tests (default 2). */
  readonly workers?: number;
  /**
   * Whether the workers are processes the executor does not own: worker nodes on other
   * machines, started by their own CLI (the BullMQ backend). Such an executor cannot stop a
   * task stuck in a sync loop on a node (it can only stop waiting for it), cannot see a node's
   * exit code nor replace it, and cannot reload a node's module. With it set, the suite skips
   * the cases that need an owned worker: "an infinite loop is stopped by timeout", "abort
   * during a sync loop", the `crashes` cases and "recycleAfter". The backend's own tests cover
   * what happens instead (a killed node's jobs run again on another node).
   */
  readonly remoteWorkers?: boolean;
}

const TASKS = fixtureUrl('tasks');

async function settleAll<T>(promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(promises);
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

/** Runs the whole conformance suite against one backend. */
export function runConformanceSuite(target: ConformanceTarget): void {
  const workers = target.workers ?? 2;
  /** The executor starts, interrupts and replaces its workers itself. */
  const ownsWorkers = target.isolated && !target.remoteWorkers;
  const open: Executor<unknown>[] = [];
  const make = <M = FixtureTasks>(
    options: Record<string, unknown> = {},
    module: URL | string = TASKS,
  ) => {
    const executor = target.create<M>(module, { workers, ...options });
    open.push(executor as Executor<unknown>);
    return executor;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.terminate()));
  });

  runLoadCases({ name: target.name, make: (options) => make(options), ownsWorkers });
  if (ownsWorkers) {
    runStartCases({
      name: target.name,
      make: (options, module) => make(options, module),
      liveWorkers: () => target.liveWorkers(),
    });
  }

  runStreamCases({
    name: target.name,
    make: (options) => make<StreamFixtureTasks>(options, fixtureUrl('stream-tasks')),
    ownsWorkers,
    remoteWorkers: target.remoteWorkers === true,
  });

  describe(`${target.name}: results`, () => {
    it('round-trips every structured-cloneable type', async () => {
      const pool = make();
      const nested = { a: [1, { b: 'two' }], c: null, d: undefined };
      const values: unknown[] = [
        undefined,
        null,
        true,
        0,
        -0,
        Number.NaN,
        1.5,
        'text',
        123456789012345678901234567890n,
        new Map<unknown, unknown>([
          ['k', 1],
          [2, { v: 3n }],
        ]),
        new Set([1, 'a', 2n]),
        new Date(1_700_000_000_000),
        /ab+c/gi,
        new Uint8Array([1, 2, 3]),
        new Float64Array([0.5, -1]),
        new ArrayBuffer(4),
        nested,
        [1, [2, [3]]],
      ];
      const results = await Promise.all(values.map((v) => pool.run('echo', v)));
      expect(results).toStrictEqual(values);
      expect(Object.keys(results[16] as object)).toContain('d');
    });

    it('runs sync and async tasks and passes several arguments', async () => {
      const pool = make();
      expect(await pool.run('add', 2, 3)).toBe(5);
      expect(await pool.run('factorial', 25)).toBe(15511210043330985984000000n);
      expect(await pool.run('sleep', 5, 'late')).toBe('late');
    });

    it('takes options as run’s last argument when marked with withOptions', async () => {
      const pool = make();
      const error = await pool
        .run('sleep', 10_000, withOptions({ timeout: 50 }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskTimeoutError);
      // An unmarked object is an ordinary argument.
      expect(await pool.run('echo', { timeout: 1 })).toStrictEqual({ timeout: 1 });
      expect(await pool.run('add', 1, 2, withOptions({}))).toBe(3);
    });

    it('infers task names, arguments and results from the module type', async () => {
      const pool = make();
      const factorial = pool.run('factorial', 5);
      const squares = pool.map('square', [1, 2]);
      expectTypeOf(factorial).resolves.toEqualTypeOf<bigint>();
      expectTypeOf(squares).resolves.toEqualTypeOf<number[]>();
      // Awaited, so neither is left to reject unobserved when afterEach terminates the pool.
      expect(await factorial).toBe(120n);
      expect(await squares).toStrictEqual([1, 4]);
      // @ts-expect-error: not a task of the module
      const unknown = pool.run('nope');
      await expect(unknown).rejects.toThrow(UnknownTaskError);
      // @ts-expect-error: wrong argument type
      await pool.run('square', 'x').catch(() => {});
      // @ts-expect-error: a constant, not a task
      await expect(pool.run('notATask')).rejects.toBeInstanceOf(UnknownTaskError);
      // Settled before the test ends, or afterEach's terminate() rejects them unhandled.
      expect(await Promise.all([factorial, squares])).toStrictEqual([120n, [1, 4]]);
    });

    it('starmap and istarmap spread each input tuple into the task, typed from its parameters', async () => {
      const pool = make();
      const pairs = Array.from({ length: 1_000 }, (_, i): [number, number] => [i, 2 * i]);
      const sums = pool.starmap('add', pairs);
      expectTypeOf(sums).resolves.toEqualTypeOf<number[]>();
      expect(await sums).toStrictEqual(pairs.map(([a, b]) => a + b));
      const streamed: number[] = [];
      for await (const v of pool.istarmap('add', pairs, { ordered: false })) streamed.push(v);
      expect(streamed.sort((a, b) => a - b)).toStrictEqual(pairs.map(([a, b]) => a + b));
      expect(await pool.starmap('sleep', [[1, 'x'] as [number, string]])).toStrictEqual(['x']);
      // @ts-expect-error: a tuple that does not match the task's parameters
      await pool.starmap('add', [['1', 2]]).catch(() => {});
      // An input that is not an argument list rejects the starmap with that input's index.
      const error = await pool
        .starmap('add', [[1, 2], 3 as unknown as [number, number]])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect(failedInputIndex(error)).toBe(1);
    });

    it('lets async tasks share a worker: a pending task does not block others', async () => {
      const pool = make({ workers: 1 });
      const slow = pool.run('sleep', 60_000);
      slow.catch(() => {});
      expect(await pool.run('echo', 'through')).toBe('through');
      const doubled = await Promise.all(
        Array.from({ length: 200 }, (_, i) => pool.run('ioDouble', i)),
      );
      expect(doubled).toStrictEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    });

    it('respects concurrency: 1 runs one task at a time per worker', async () => {
      const pool = make({ workers: 1, concurrency: 1 });
      const order: string[] = [];
      await Promise.all([
        pool.run('sleep', 100, 'slow').then((v) => order.push(String(v))),
        pool.run('echo', 'fast').then((v) => order.push(String(v))),
      ]);
      expect(order).toStrictEqual(['slow', 'fast']);
    });

    if (target.transfers) {
      it('transfers buffers listed in `transfer`', async () => {
        const pool = make();
        const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
        expect(await pool.exec('sumBytes', [buffer], { transfer: [buffer] })).toBe(10);
        expect(buffer.byteLength).toBe(0);
      });
    }
  });

  describe(`${target.name}: map, imap, mapReduce`, () => {
    it('maps 100k items in order', async () => {
      const pool = make();
      const inputs = Array.from({ length: 100_000 }, (_, i) => i);
      const results = await pool.map('square', inputs);
      expect(results.length).toBe(100_000);
      for (let i = 0; i < inputs.length; i++)
        if (results[i] !== i * i) expect(results[i]).toBe(i * i);
    }, 30_000);

    it('maps iterables, async iterables, and honours chunkSize', async () => {
      const pool = make();
      function* gen() {
        for (let i = 0; i < 1000; i++) yield i;
      }
      async function* agen() {
        for (let i = 0; i < 1000; i++) yield i;
      }
      const expected = Array.from({ length: 1000 }, (_, i) => i * i);
      expect(await pool.map('square', gen())).toStrictEqual(expected);
      expect(await pool.map('square', agen())).toStrictEqual(expected);
      expect(await pool.map('square', gen(), { chunkSize: 7 })).toStrictEqual(expected);
      expect(await pool.map('factorial', [0, 1, 5, 20])).toStrictEqual([
        1n,
        1n,
        120n,
        2432902008176640000n,
      ]);
    });

    it('handles empty input', async () => {
      const pool = make();
      expect(await pool.map('square', [])).toStrictEqual([]);
      const seen: number[] = [];
      for await (const v of pool.imap('square', [])) seen.push(v);
      expect(seen).toStrictEqual([]);
      expect(await pool.mapReduce('square', [], { reducer: 'add', initial: 7 })).toBe(7);
      await expect(pool.mapReduce('square', [], { reducer: 'add' })).rejects.toThrow(TypeError);
    });

    it('rejects a map with the failing item’s error and its index; the executor stays usable', async () => {
      const pool = make();
      const inputs = Array.from({ length: 100 }, (_, i) => i);
      const error = await pool.map('squareUnless13', inputs).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe('13 is unlucky');
      expect(failedInputIndex(error)).toBe(13);
      expect(await pool.map('square', [1, 2, 3])).toStrictEqual([1, 4, 9]);
    });

    it('imap yields in order, or as completed', async () => {
      const pool = make();
      const inputs = Array.from({ length: 5000 }, (_, i) => i);
      const ordered: number[] = [];
      for await (const v of pool.imap('square', inputs)) ordered.push(v);
      expect(ordered).toStrictEqual(inputs.map((i) => i * i));
      const unordered: number[] = [];
      for await (const v of pool.imap('square', inputs, { ordered: false })) unordered.push(v);
      expect(unordered.sort((a, b) => a - b)).toStrictEqual(inputs.map((i) => i * i));
    });

    it('imap reads an endless input lazily (backpressure) and stops when the consumer does', async () => {
      const pool = make();
      let pulled = 0;
      function* endless() {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      }
      let count = 0;
      for await (const v of pool.imap('square', endless(), { chunkSize: 10, maxInFlight: 2 })) {
        expect(v).toBe(count * count);
        if (++count === 1000) break;
      }
      expect(pulled).toBeLessThanOrEqual(1000 + 3 * 10);
    });

    it('mapReduce folds per chunk in the worker and across chunks on the host', async () => {
      const pool = make();
      const inputs = Array.from({ length: 10_000 }, (_, i) => i);
      const expected = inputs.reduce((a, i) => a + i * i, 0);
      expect(await pool.mapReduce('square', inputs, { reducer: 'add' })).toBe(expected);
      expect(
        await pool.mapReduce('square', inputs, { reducer: 'add', initial: 1, chunkSize: 333 }),
      ).toBe(expected + 1);
      const big = await pool.mapReduce('factorial', [1, 2, 3, 4, 5, 30], { reducer: 'addBig' });
      expect(big).toBe(1n + 2n + 6n + 24n + 120n + 265252859812191058636308480000000n);
    });

    it('rejects invalid map options with RangeError/TypeError', async () => {
      const pool = make();
      await expect(pool.map('square', [1], { chunkSize: 0 })).rejects.toThrow(RangeError);
      await expect(pool.map('square', [1], { timeout: -1 })).rejects.toThrow(RangeError);
      // @ts-expect-error: not iterable
      await expect(pool.map('square', 42)).rejects.toThrow(TypeError);
    });
  });

  describe(`${target.name}: errors`, () => {
    it('a sync throw arrives with its class, message and stack', async () => {
      const pool = make();
      const error = (await pool.run('throwError', 'boom').catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe('boom');
      expect(error.stack).toContain('throwError');
    });

    it('an async rejection keeps its built-in class', async () => {
      const pool = make();
      await expect(pool.run('rejectError', 'bad type')).rejects.toThrow(TypeError);
      await expect(pool.run('rejectError', 'bad type')).rejects.toThrow('bad type');
    });

    it('a custom Error subclass keeps its name, code, own properties and cause chain', async () => {
      const pool = make();
      const error = (await pool.run('throwCustom', 'email').catch((e: unknown) => e)) as Error & {
        code: string;
        field: string;
      };
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ValidationError');
      expect(error.constructor.name).toBe('ValidationError');
      expect(error.message).toBe('invalid field email');
      expect(error.code).toBe('E_VALIDATION');
      expect(error.field).toBe('email');
      expect(error.stack).toContain('throwCustom');
      const cause = error.cause as Error;
      expect(cause).toBeInstanceOf(RangeError);
      expect(cause.message).toBe('out of range');
      expect((cause.cause as Error).message).toBe('root cause');
    });

    it('a thrown non-Error value arrives as that value', async () => {
      const pool = make();
      await expect(pool.run('throwValue', 42)).rejects.toBe(42);
      await expect(pool.run('throwValue', { reason: 'plain object' })).rejects.toStrictEqual({
        reason: 'plain object',
      });
      await expect(pool.run('throwValue', undefined)).rejects.toBeUndefined();
    });

    it('an unknown task name rejects with UnknownTaskError naming the available tasks', async () => {
      const pool = make();
      const first = (await pool.run('nope' as 'noop').catch((e: unknown) => e)) as UnknownTaskError;
      expect(first).toBeInstanceOf(UnknownTaskError);
      expect(first.code).toBe('ERR_MANYHANDS_UNKNOWN_TASK');
      expect(first.available).toContain('echo');
      // Once the module is known, the check happens without a round trip.
      await expect(pool.run('nope' as 'noop')).rejects.toBeInstanceOf(UnknownTaskError);
      await expect(pool.map('nope' as 'square', [1])).rejects.toBeInstanceOf(UnknownTaskError);
      expect(await pool.run('echo', 1)).toBe(1);
    });

    it('a module that throws on load rejects with ModuleLoadError naming the file and the reason', async () => {
      const pool = make({}, fixtureUrl('throws-on-load'));
      const error = (await pool
        .run('neverReached' as 'noop')
        .catch((e: unknown) => e)) as ModuleLoadError;
      expect(error).toBeInstanceOf(ModuleLoadError);
      expect(error.message).toContain('throws-on-load');
      expect(error.message).toContain('this module refuses to load');
      // Still answers (with the same error), does not hang.
      await expect(pool.run('neverReached' as 'noop')).rejects.toBeInstanceOf(ModuleLoadError);
    });

    it('a missing module rejects with ModuleLoadError naming the file', async () => {
      const pool = make({}, missingModuleUrl());
      const error = (await pool.run('x' as 'noop').catch((e: unknown) => e)) as ModuleLoadError;
      expect(error).toBeInstanceOf(ModuleLoadError);
      expect(error.message).toContain('does-not-exist');
    });

    it('a non-cloneable argument rejects that call only, with the path', async () => {
      const pool = make();
      const others = [pool.run('echo', 1), pool.run('echo', 2)];
      const bad = pool.run('echo', { nested: { fn: () => 1 } } as unknown as number);
      const error = (await bad.catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('args[0].nested.fn');
      expect(await Promise.all(others)).toStrictEqual([1, 2]);
      await expect(pool.map('echo', [1, Symbol('s')])).rejects.toBeInstanceOf(NotCloneableError);
      expect(await pool.run('echo', 3)).toBe(3);
    });

    it('retries are opt-in per call: a throwing task runs again only when asked', async () => {
      const pool = make();
      const files: string[] = [];
      const flaky = (failures: number) => {
        const path = join(
          tmpdir(),
          `mh-retries-${process.pid}-${Math.random().toString(36).slice(2)}`,
        );
        files.push(path);
        return { path, failures };
      };
      const calls = (spec: { path: string }) => readFileSync(spec.path, 'utf8').length;
      try {
        const once = flaky(1);
        await expect(pool.run('flakyByFile', once)).rejects.toThrow('attempt 1 failed');
        expect(calls(once)).toBe(1);
        const twice = flaky(2);
        expect(await pool.exec('flakyByFile', [twice], { retries: 2 })).toBe(twice.path);
        expect(calls(twice)).toBe(3);
        const exhausted = flaky(5);
        const error = await pool
          .exec('flakyByFile', [exhausted], { retries: 1 })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RangeError);
        expect((error as Error).message).toBe('attempt 2 failed');
        expect(calls(exhausted)).toBe(2);
        // A map's failing chunk runs again, whole.
        const items = [flaky(0), flaky(1), flaky(0)];
        await expect(pool.map('flakyByFile', items, { chunkSize: 3 })).rejects.toThrow(
          'attempt 1 failed',
        );
        const again = [flaky(0), flaky(1), flaky(0)];
        expect(await pool.map('flakyByFile', again, { chunkSize: 3, retries: 1 })).toStrictEqual(
          again.map((spec) => spec.path),
        );
        // manyhands' own errors are never retried; bad values are refused.
        await expect(pool.exec('nope' as 'noop', [], { retries: 3 })).rejects.toBeInstanceOf(
          UnknownTaskError,
        );
        await expect(pool.exec('noop', [], { retries: -1 })).rejects.toThrow(RangeError);
        await expect(pool.map('square', [1], { retries: 1.5 })).rejects.toThrow(RangeError);
      } finally {
        for (const file of files) rmSync(file, { force: true });
      }
    });

    it('a non-cloneable result rejects that call only, with the path', async () => {
      const pool = make();
      const error = (await pool
        .run('returnFunction')
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('result.callback');
      expect(await pool.run('echo', 'fine')).toBe('fine');
    });
  });

  describe(`${target.name}: cancellation`, () => {
    it('abort before the task: rejects at once with TaskAbortedError carrying the reason', async () => {
      const pool = make();
      const controller = new AbortController();
      controller.abort(new Error('changed my mind'));
      const error = (await pool
        .exec('echo', [1], { signal: controller.signal })
        .catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(TaskAbortedError);
      expect((error.cause as Error).message).toBe('changed my mind');
    });

    it('abort during an async task: rejects at once; the executor stays usable', async () => {
      const pool = make();
      const controller = new AbortController();
      const running = pool.exec('hang', [], { signal: controller.signal });
      await pool.run('echo', 'warm');
      setTimeout(() => controller.abort(), 20);
      await expect(running).rejects.toBeInstanceOf(TaskAbortedError);
      expect(await pool.run('echo', 'after')).toBe('after');
    });

    it('abort reaches the task through taskSignal()', async () => {
      const pool = make({ workers: 1 });
      const controller = new AbortController();
      const running = pool.exec('waitForAbort', [], { signal: controller.signal });
      await pool.run('echo', 'warm');
      controller.abort();
      await expect(running).rejects.toBeInstanceOf(TaskAbortedError);
      expect(await pool.run('echo', 'after')).toBe('after');
    });

    it('aborting a map rejects it and drops its pending chunks', async () => {
      const pool = make();
      const controller = new AbortController();
      const inputs = Array.from({ length: 200 }, () => 20);
      const mapping = pool.map('spin', inputs, { signal: controller.signal, chunkSize: 1 });
      setTimeout(() => controller.abort(), 50);
      await expect(mapping).rejects.toBeInstanceOf(TaskAbortedError);
      expect(await pool.run('echo', 'after')).toBe('after');
    });

    if (ownsWorkers) {
      it('an infinite loop is stopped by timeout; its worker is replaced; others complete', async () => {
        const pool = make();
        const looping = pool.exec('infiniteLoop', [], { timeout: 300 });
        const others = Array.from({ length: 20 }, (_, i) => pool.run('echo', i));
        const error = (await looping.catch((e: unknown) => e)) as TaskTimeoutError;
        expect(error).toBeInstanceOf(TaskTimeoutError);
        expect(error.code).toBe('ERR_MANYHANDS_TIMEOUT');
        expect(await Promise.all(others)).toStrictEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(await Promise.all([1, 2, 3].map((i) => pool.run('echo', i)))).toStrictEqual([
          1, 2, 3,
        ]);
      }, 20_000);

      it('abort during a sync loop rejects at once and replaces the worker', async () => {
        const pool = make();
        const controller = new AbortController();
        const looping = pool.exec('infiniteLoop', [], { signal: controller.signal });
        setTimeout(() => controller.abort(), 100);
        await expect(looping).rejects.toBeInstanceOf(TaskAbortedError);
        expect(await pool.map('square', [1, 2, 3])).toStrictEqual([1, 4, 9]);
      }, 20_000);
    }
  });

  if (ownsWorkers) {
    describe(`${target.name}: crashes`, () => {
      it('a worker that exits mid-task rejects that task only; others complete; it is replaced', async () => {
        const pool = make();
        // Sync tasks hold their worker, so none of these shares a worker with the crash.
        const others = Array.from({ length: 10 }, (_, i) => pool.run('spin', 20).then(() => i));
        const crash = pool.run('exitWorker', 3);
        const more = Array.from({ length: 10 }, (_, i) => pool.run('spin', 20).then(() => i + 10));
        const error = (await crash.catch((e: unknown) => e)) as WorkerExitError;
        expect(error).toBeInstanceOf(WorkerExitError);
        expect(error.exitCode).toBe(3);
        expect(error.message).toContain('code 3');
        expect(await Promise.all([...others, ...more])).toStrictEqual(
          Array.from({ length: 20 }, (_, i) => i),
        );
        expect(await pool.map('square', [1, 2, 3])).toStrictEqual([1, 4, 9]);
      }, 20_000);

      it('async tasks the crashed worker held reject with WorkerExitError instead of hanging', async () => {
        const pool = make({ workers: 1 });
        const held = pool.run('sleep', 10_000);
        await pool.run('echo', 'warm');
        const crash = pool.run('exitWorker', 4);
        await expect(crash).rejects.toBeInstanceOf(WorkerExitError);
        const error = (await held.catch((e: unknown) => e)) as WorkerExitError;
        expect(error).toBeInstanceOf(WorkerExitError);
        expect(error.exitCode).toBe(4);
        expect(await pool.run('echo', 'replaced')).toBe('replaced');
      }, 20_000);

      it('an uncaught exception in a timer kills the worker; the executor carries on', async () => {
        const pool = make({ workers: 1 });
        expect(await pool.run('crashLater')).toBe('returned');
        const crashing = workerIdsOf(pool as Executor<unknown>);
        // Wait until the worker has died of its timer (however loaded the machine), so the calls
        // below are not sent to it in its last moments.
        await waitFor(
          () => !workerIdsOf(pool as Executor<unknown>).some((id) => crashing.includes(id)),
          10_000,
        );
        const after = await Promise.all(
          Array.from({ length: 50 }, (_, i) => pool.run('sleep', 5, i)),
        );
        expect(after).toStrictEqual(Array.from({ length: 50 }, (_, i) => i));
      }, 20_000);

      it('a crash during a map rejects the map with WorkerExitError; nothing hangs', async () => {
        const pool = make();
        await expect(pool.map('exitWorker', [7, 7, 7])).rejects.toBeInstanceOf(WorkerExitError);
        expect(await pool.run('echo', 'alive')).toBe('alive');
      }, 20_000);

      if (target.memoryLimitOptions) {
        const limits = target.memoryLimitOptions;
        it('running out of memory under resource limits rejects that task with WorkerExitError', async () => {
          const pool = make({ ...limits });
          const error = (await pool
            .run('exhaustMemory')
            .catch((e: unknown) => e)) as WorkerExitError;
          expect(error).toBeInstanceOf(WorkerExitError);
          expect(await pool.run('echo', 'recovered')).toBe('recovered');
        }, 60_000);
      }
    });
  }

  describe(`${target.name}: options, lifecycle and stats`, () => {
    it('rejects invalid options at construction', () => {
      expect(() => target.create(TASKS, { workers: 0 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { workers: 1.5 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { workers: 'two' })).toThrow(TypeError);
      expect(() => target.create(TASKS, { concurrency: -1 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { maxQueue: -1 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { idleTimeout: Number.NaN })).toThrow(TypeError);
      expect(() => target.create(TASKS, { recycleAfter: 0 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { wrokers: 2 })).toThrow(/Unknown option "wrokers"/);
      expect(() => target.create(42 as unknown as string)).toThrow(TypeError);
    });

    it('rejects invalid call options', async () => {
      const pool = make();
      await expect(pool.exec('echo', [1], { timeout: 0 })).rejects.toThrow(RangeError);
      await expect(
        pool.exec('echo', [1], { signal: 'no' as unknown as AbortSignal }),
      ).rejects.toThrow(TypeError);
    });

    it('maxQueue bounds the queue with QueueFullError', async () => {
      const pool = make({ workers: 1, maxQueue: 2 });
      const a = pool.run('sleep', 50, 'a');
      const b = pool.run('sleep', 50, 'b');
      const c = pool.run('sleep', 50, 'c');
      await expect(c).rejects.toBeInstanceOf(QueueFullError);
      expect(await Promise.all([a, b])).toStrictEqual(['a', 'b']);
    });

    if (ownsWorkers) {
      // Inline "workers" share the caller's module instance: ES modules cannot be unloaded.
      it('recycleAfter replaces a worker after that many tasks', async () => {
        const pool = make({ workers: 1, recycleAfter: 3 });
        const counts: number[] = [];
        for (let i = 0; i < 7; i++) counts.push(await pool.run('countCalls'));
        expect(counts).toStrictEqual([1, 2, 3, 1, 2, 3, 1]);
      });
    }

    it('close() lets queued and running work finish, then run() rejects', async () => {
      const pool = make({ workers: 1 });
      const pending = Array.from({ length: 5 }, (_, i) => pool.run('sleep', 20, i));
      const mapping = pool.map('square', [1, 2, 3]);
      await pool.close();
      expect(await Promise.all(pending)).toStrictEqual([0, 1, 2, 3, 4]);
      expect(await mapping).toStrictEqual([1, 4, 9]);
      await expect(pool.run('echo', 1)).rejects.toBeInstanceOf(ExecutorClosedError);
      await expect(pool.map('square', [1])).rejects.toBeInstanceOf(ExecutorClosedError);
      await pool.close();
    });

    it('terminate() rejects everything pending at once', async () => {
      const pool = make({ workers: 1 });
      const pending = [pool.run('hang'), pool.run('sleep', 10_000), pool.run('echo', 1)];
      const mapping = pool.map('sleep', [10_000, 10_000]);
      const outcomes = settleAll<unknown>([...pending, mapping]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pool.terminate();
      for (const result of await outcomes) {
        if (result.status === 'fulfilled') expect(result.value).toBe(1);
        else expect(result.reason).toBeInstanceOf(ExecutorTerminatedError);
      }
      await expect(pool.run('echo', 1)).rejects.toBeInstanceOf(ExecutorClosedError);
    });

    it('supports `await using`', async () => {
      let seen: number | undefined;
      {
        await using pool = target.create<FixtureTasks>(TASKS, { workers: 1 });
        seen = await pool.run('square', 9);
      }
      expect(seen).toBe(81);
    });

    it('reports stats', async () => {
      const pool = make();
      await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run('spin', 1 + (i % 3))));
      await pool.run('throwError', 'x').catch(() => {});
      await pool.map(
        'square',
        Array.from({ length: 1000 }, (_, i) => i),
      );
      const stats = pool.stats();
      expect(stats.completed).toBe(1020);
      expect(stats.failed).toBe(1);
      expect(stats.queued).toBe(0);
      expect(stats.running).toBe(0);
      expect(stats.workers).toBeGreaterThanOrEqual(1);
      expect(stats.runTime.p99).toBeGreaterThanOrEqual(stats.runTime.p50);
      expect(stats.runTime.max).toBeGreaterThan(0);
      expect(stats.waitTime.p50).toBeGreaterThanOrEqual(0);
      expect(stats.utilization).toBeGreaterThan(0);
      expect(stats.utilization).toBeLessThanOrEqual(1);
    });

    it('leaves no worker behind after close() or terminate()', async () => {
      const before = target.liveWorkers();
      const a = make();
      await a.map(
        'square',
        Array.from({ length: 1000 }, (_, i) => i),
      );
      await Promise.all(Array.from({ length: 10 }, () => a.run('noop')));
      expect(target.liveWorkers()).toBeGreaterThanOrEqual(before);
      await a.close();
      const b = make();
      b.run('hang').catch(() => {});
      await b.run('echo', 1);
      await b.terminate();
      expect(await waitFor(() => target.liveWorkers() <= before, 5_000)).toBe(true);
    }, 20_000);

    if (target.script) {
      const script = target.script;
      const runScript = (
        body: string,
      ): Promise<{ code: number | null; stdout: string; stderr: string }> => {
        const file = join(
          script.dir,
          `.conformance-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`,
        );
        writeFileSync(
          file,
          `import { ${script.factory} as create } from '${script.packageName}';\n` +
            `const pool = create(new URL(${JSON.stringify(TASKS.href)}), { workers: 2 });\n${body}\n`,
        );
        return new Promise((resolve) => {
          execFile(
            process.execPath,
            [file],
            { timeout: 15_000, cwd: script.dir },
            (error, stdout, stderr) => {
              rmSync(file, { force: true });
              resolve({
                code: error ? ((error as { code?: number }).code ?? null) : 0,
                stdout,
                stderr,
              });
            },
          );
        });
      };

      it('a script that closes its executor exits by itself', async () => {
        const result = await runScript(
          "const r = await pool.map('square', [1, 2, 3]);\nawait pool.close();\nconsole.log(r.join(','));",
        );
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe('1,4,9');
        expect(result.code).toBe(0);
      }, 20_000);

      it('a script that forgets close() still exits: idle workers do not hold the process', async () => {
        const result = await runScript("console.log(await pool.run('square', 4));");
        expect(result.stdout.trim()).toBe('16');
        expect(result.code).toBe(0);
      }, 20_000);
    }
  });

  hardeningCases(target);
  lifecycleCases(target);
}
