/**
 * Type tests of `stream()` and `onProgress`: parts and arguments are inferred from the
 * generator, and a task that is not a stream, wrong arguments or a wrong option are compile
 * errors. Checked by `tsc` (the typecheck script); the test body only proves the file loads.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { withOptions } from '../src/host/executor.js';
import type { Executor, StreamTaskName, TaskPart } from '../src/host/types.js';

interface Tasks {
  rows(path: string, limit?: number): AsyncGenerator<{ id: number; name: string }, void>;
  ticks(n: number): Generator<number>;
  lines(): AsyncIterable<string>;
  plain(n: number): number;
  text(): string;
  later(): Promise<number[]>;
}

function typeChecks(pool: Executor<Tasks>): void {
  expectTypeOf(pool.stream('rows', 'a.csv')).toEqualTypeOf<
    AsyncIterableIterator<{ id: number; name: string }>
  >();
  expectTypeOf(pool.stream('rows', 'a.csv', 10)).toEqualTypeOf<
    AsyncIterableIterator<{ id: number; name: string }>
  >();
  expectTypeOf(pool.stream('ticks', 3, withOptions({ highWaterMark: 8 }))).toEqualTypeOf<
    AsyncIterableIterator<number>
  >();
  expectTypeOf(pool.stream('lines')).toEqualTypeOf<AsyncIterableIterator<string>>();
  expectTypeOf<StreamTaskName<Tasks>>().toEqualTypeOf<'rows' | 'ticks' | 'lines'>();
  expectTypeOf<TaskPart<Tasks, 'ticks'>>().toEqualTypeOf<number>();
  // @ts-expect-error plain returns a number: not a stream task
  pool.stream('plain', 1);
  // @ts-expect-error a string is iterable, but not a stream of parts
  pool.stream('text');
  // @ts-expect-error a promise of an array is not a stream: use run()
  pool.stream('later');
  // @ts-expect-error wrong argument type
  pool.stream('ticks', 'three');
  // @ts-expect-error missing argument
  pool.stream('rows');
  // @ts-expect-error not a task
  pool.stream('nope');
  void pool.run('plain', 1, withOptions({ onProgress: (value: unknown) => void value }));
  // @ts-expect-error onProgress is a function
  void pool.exec('plain', [1], { onProgress: 'no' });
}

describe('stream types', () => {
  it('compile (checked by tsc)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
