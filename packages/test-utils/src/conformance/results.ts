/** Conformance: results — every cloneable type, sync and async tasks, typed calls, starmap, concurrency. */
import { failedInputIndex, TaskTimeoutError, UnknownTaskError, withOptions } from '@manyhands/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SuiteContext } from './context.js';

/** Registers the results cases. */
export function resultCases({ target, make }: SuiteContext): void {
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

    it('never changes what a task returned once it was sent, under load', async () => {
      const pool = make();
      const calls = Array.from({ length: 200 }, () => pool.run('returnShared'));
      const mapped = pool.map(
        'sharedFor',
        Array.from({ length: 2_000 }, (_, i) => i),
      );
      expect(await Promise.all(calls)).toStrictEqual(calls.map(() => [1, 2, 3]));
      expect(await mapped).toStrictEqual(Array.from({ length: 2_000 }, () => [1, 2, 3]));
      const lengths = await Promise.all(Array.from({ length: 50 }, () => pool.run('sharedLength')));
      expect(lengths).toStrictEqual(lengths.map(() => 3));
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
}
