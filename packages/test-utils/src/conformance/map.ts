/** Conformance: `map`, `imap` and `mapReduce` — order, inputs, chunking, failures, backpressure. */
import { failedInputIndex } from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context.js';

/** Registers the map cases. */
export function mapCases({ target, make }: SuiteContext): void {
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
}
