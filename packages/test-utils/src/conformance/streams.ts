/**
 * Conformance of `stream()` and `progress()`: parts in order, early break and abort return the
 * generator in its worker, errors midway, parts that cannot be cloned, credit-based backpressure
 * over 10,000 parts, worker death mid-stream, progress in order and never after settle, a
 * throwing `onProgress`, and all of it under load. Part of the conformance suite.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_HIGH_WATER_MARK,
  type Executor,
  ExecutorClosedError,
  ExecutorTerminatedError,
  NotCloneableError,
  TaskAbortedError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkerExitError,
  withOptions,
} from '@manyhands/core';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type * as StreamTasks from '../fixtures/stream-tasks.js';

/** The task module type of the stream fixtures. */
export type StreamFixtureTasks = typeof StreamTasks;

/** What the stream cases need from the suite. */
export interface StreamCaseContext {
  readonly name: string;
  /** Creates an executor over the stream fixtures, terminated after each test. */
  make(options?: Record<string, unknown>): Executor<StreamFixtureTasks>;
  /** The executor starts, interrupts and replaces its workers itself. */
  readonly ownsWorkers: boolean;
  /** Workers are nodes the executor does not own (a later call may run on another one). */
  readonly remoteWorkers: boolean;
}

async function collect<T>(parts: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

/** Reads a stream to its end; resolves to the parts and the error the loop threw, if any. */
async function drain<T>(parts: AsyncIterable<T>): Promise<{ parts: T[]; error: unknown }> {
  const out: T[] = [];
  try {
    for await (const part of parts) out.push(part);
    return { parts: out, error: undefined };
  } catch (error) {
    return { parts: out, error };
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await pause(10);
  }
  return check();
}

/** Registers the stream and progress cases. */
export function runStreamCases({
  name,
  make,
  ownsWorkers,
  remoteWorkers,
}: StreamCaseContext): void {
  const dir = mkdtempSync(join(tmpdir(), 'manyhands-stream-'));
  let markers = 0;
  /** A fresh file a fixture's `finally` appends to; `ran()` counts how often it did. */
  const marker = () => {
    const path = join(dir, `finally-${++markers}`);
    return {
      path,
      ran: () => {
        try {
          return readFileSync(path, 'utf8').length;
        } catch {
          return 0;
        }
      },
    };
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe(`${name}: stream`, () => {
    it('yields the parts in order (async and sync generators, an async iterable), typed from the generator', async () => {
      const pool = make();
      const counted = pool.stream('countTo', 200);
      expectTypeOf(counted).toEqualTypeOf<AsyncIterableIterator<number>>();
      expect(await collect(counted)).toStrictEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const pairs = await collect(pool.stream('pairs', 3, 'a'));
      expectTypeOf(pairs).toEqualTypeOf<[number, string][]>();
      expect(pairs).toStrictEqual([
        [0, 'a'],
        [1, 'a'],
        [2, 'a'],
      ]);
      expect(await collect(pool.stream('iterableOf', ['x', 'y']))).toStrictEqual(['x', 'y']);
      expect(await collect(pool.stream('countTo', 0))).toStrictEqual([]);
      const iterator = pool.stream('countTo', 1);
      expect(await iterator.next()).toStrictEqual({ done: false, value: 1 });
      expect(await iterator.next()).toStrictEqual({ done: true, value: 'counted' });
      expect(await iterator.next()).toStrictEqual({ done: true, value: undefined });
    });

    it('a loop that breaks early returns the generator in its worker (its finally runs) and the worker runs the next call', async () => {
      const pool = make({ workers: 1 });
      for (const task of ['endless', 'endlessSync'] as const) {
        const m = marker();
        let where: unknown;
        let read = 0;
        for await (const part of pool.stream(task, m.path)) {
          if (read++ === 0) where = part;
          if (read === 50) break;
        }
        expect(read).toBe(50);
        expect(await waitFor(() => m.ran() === 1, 5_000)).toBe(true);
        const after = await pool.run('finallyCount');
        if (!remoteWorkers) expect(after.where).toBe(where);
      }
      expect(await pool.run('later', 1, 7)).toBe(7);
    });

    it('an abort signal or a timeout ends the stream with TaskAbortedError / TaskTimeoutError, and the generator is returned', async () => {
      const pool = make();
      const aborted = marker();
      const controller = new AbortController();
      const iterator = pool.stream(
        'stalls',
        aborted.path,
        withOptions({ signal: controller.signal }),
      );
      expect((await iterator.next()).done).toBe(false);
      controller.abort(new Error('enough'));
      const abortError = await iterator.next().catch((e: unknown) => e);
      expect(abortError).toBeInstanceOf(TaskAbortedError);
      const timed = marker();
      const result = await drain(pool.stream('stalls', timed.path, withOptions({ timeout: 300 })));
      expect(result.parts).toHaveLength(1);
      expect(result.error).toBeInstanceOf(TaskTimeoutError);
      expect(await waitFor(() => aborted.ran() === 1 && timed.ran() === 1, 5_000)).toBe(true);
      // A signal aborted before the loop reads: the first read rejects, nothing runs.
      const early = pool.stream('countTo', 3, withOptions({ signal: AbortSignal.abort() }));
      expect(await early.next().catch((e: unknown) => e)).toBeInstanceOf(TaskAbortedError);
      expect(await pool.run('later', 1, 1)).toBe(1);
    });

    it('a stream that throws midway delivers the parts before, then the loop throws the task error rebuilt like run()', async () => {
      const pool = make();
      const { parts, error } = await drain(pool.stream('throwsAfter', 5));
      expect(parts).toStrictEqual([0, 1, 2, 3, 4]);
      expect(error).toBeInstanceOf(Error);
      const e = error as Error & { code?: string; at?: number };
      expect(e.name).toBe('StreamError');
      expect(e.message).toBe('failed after 5 parts');
      expect(e.code).toBe('E_STREAM');
      expect(e.at).toBe(5);
    });

    it('a part that cannot be cloned ends the stream with NotCloneableError naming its path, after the parts before it', async () => {
      const pool = make({ workers: 1 });
      const m = marker();
      const { parts, error } = await drain(pool.stream('yieldsUncloneable', m.path));
      expect(parts).toStrictEqual([0, 1]);
      expect(error).toBeInstanceOf(NotCloneableError);
      expect((error as NotCloneableError).path).toBe('part.bad.fn');
      expect(await waitFor(() => m.ran() === 1, 5_000)).toBe(true);
      expect(await pool.run('later', 1, 2)).toBe(2);
    });

    it('refuses what it cannot stream with a typed error at the first read: a non-generator task, an unknown task, retries, bad options, a closed executor', async () => {
      const pool = make();
      const notStream = await drain(
        // @ts-expect-error notAStream returns a number: not a stream task
        pool.stream('notAStream'),
      );
      expect(notStream.error).toBeInstanceOf(TypeError);
      expect((notStream.error as Error).message).toContain('cannot be streamed');
      await pool.run('later', 1, 0); // the module is loaded: unknown names are known at once
      const unknown = await drain(
        // @ts-expect-error not a task of the module
        pool.stream('nope'),
      );
      expect(unknown.error).toBeInstanceOf(UnknownTaskError);
      const retries = await drain(pool.stream('countTo', 3, withOptions({ retries: 1 })));
      expect(retries.error).toBeInstanceOf(TypeError);
      const window = await drain(pool.stream('countTo', 3, withOptions({ highWaterMark: 0 })));
      expect(window.error).toBeInstanceOf(RangeError);
      await pool.close();
      const closed = await drain(pool.stream('countTo', 3));
      expect(closed.error).toBeInstanceOf(ExecutorClosedError);
    });

    it('backpressure: over 10,000 parts read slowly, the worker never produces more than highWaterMark parts ahead of the loop', async () => {
      const pool = make();
      for (const highWaterMark of [16, undefined]) {
        const window = highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
        let reported = -1;
        let read = 0;
        let worstAhead = 0;
        const options = withOptions({
          onProgress: (value) => {
            // `counted` reports progress(i) before it makes part i.
            reported = Math.max(reported, value as number);
          },
          ...(highWaterMark ? { highWaterMark } : {}),
        });
        for await (const part of pool.stream('counted', 10_000, options)) {
          expect(part).toBe(read);
          read++;
          worstAhead = Math.max(worstAhead, reported + 1 - read);
          // A slow reader now and then: a worker ignoring credit would run far ahead meanwhile.
          if (read % 2_500 === 0) await pause(100);
          else if (read % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        expect(read).toBe(10_000);
        expect(worstAhead).toBeLessThanOrEqual(window);
        // It did run ahead (the credit is used, not one part per round trip).
        expect(worstAhead).toBeGreaterThan(0);
      }
    }, 60_000);

    it('close() waits for a stream being read and settles; terminate() ends a stream nobody reads with ExecutorTerminatedError', async () => {
      const pool = make();
      const iterator = pool.stream('countTo', 500);
      expect((await iterator.next()).value).toBe(1);
      const closing = pool.close();
      let read = 1;
      for await (const _ of iterator) read++;
      expect(read).toBe(500);
      await closing;
      const other = make();
      const parked = other.stream('endless');
      expect((await parked.next()).done).toBe(false);
      await other.terminate();
      const rest = await drain(parked);
      expect(rest.error).toBeInstanceOf(ExecutorTerminatedError);
      expect(rest.parts.length).toBeLessThanOrEqual(DEFAULT_HIGH_WATER_MARK);
    });

    it('highWaterMark 1: the worker makes each part only once the one before was read', async () => {
      const pool = make();
      let reported = -1;
      let read = 0;
      const options = withOptions({
        highWaterMark: 1,
        onProgress: (value) => {
          reported = Math.max(reported, value as number);
        },
      });
      for await (const part of pool.stream('counted', 300, options)) {
        expect(part).toBe(read);
        read++;
        expect(reported + 1 - read).toBeLessThanOrEqual(1);
        if (read % 100 === 0) await pause(20);
      }
      expect(read).toBe(300);
    });

    if (ownsWorkers) {
      it('a worker that dies mid-stream ends the loop with WorkerExitError after the parts it sent; the executor goes on', async () => {
        const pool = make();
        const { parts, error } = await drain(pool.stream('exitsAfter', 3));
        expect(parts).toStrictEqual([0, 1, 2]);
        expect(error).toBeInstanceOf(WorkerExitError);
        expect(await collect(pool.stream('countTo', 3))).toStrictEqual([1, 2, 3]);
        expect(await pool.run('later', 1, 3)).toBe(3);
      });
    }
  });

  describe(`${name}: progress`, () => {
    it('progress() values reach onProgress in order, from the sync part and after awaits (run and exec)', async () => {
      const pool = make();
      const seen: unknown[] = [];
      const result = await pool.run(
        'reportsProgress',
        50,
        withOptions({ onProgress: (value) => seen.push(value) }),
      );
      expect(result).toBe('done');
      expect(seen).toStrictEqual(Array.from({ length: 51 }, (_, i) => i));
      const viaExec: unknown[] = [];
      await pool.exec('reportsProgress', [3], { onProgress: (v) => viaExec.push(v) });
      expect(viaExec).toStrictEqual([0, 1, 2, 3]);
      // Without onProgress the calls are plain calls.
      expect(await pool.run('reportsProgress', 3)).toBe('done');
    });

    it('a stream reports progress between its parts, each before the part that follows it', async () => {
      const pool = make();
      const seen: unknown[] = [];
      const parts: number[] = [];
      const options = withOptions({ onProgress: (value) => seen.push(value) });
      for await (const part of pool.stream('partsAndProgress', 20, options)) {
        expect(seen).toContain(`p${part}`);
        parts.push(part);
      }
      expect(parts).toStrictEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(seen).toStrictEqual(Array.from({ length: 20 }, (_, i) => `p${i}`));
    });

    it('progress after the call settled is dropped: onProgress is never called late', async () => {
      const pool = make({ workers: 1 });
      const seen: unknown[] = [];
      const result = await pool.run(
        'progressLate',
        20,
        5,
        withOptions({ onProgress: (value) => seen.push(value) }),
      );
      expect(result).toBe('settled');
      await pause(200);
      expect(seen).toStrictEqual(['early']);
      expect(await pool.run('later', 1, 4)).toBe(4);
    });

    it('an onProgress that throws rejects its call with that error and is not called again; the executor goes on', async () => {
      const pool = make();
      const boom = new Error('boom');
      const seen: unknown[] = [];
      const error = await pool
        .run(
          'reportsProgress',
          50,
          withOptions({
            onProgress: (value) => {
              seen.push(value);
              if (value === 2) throw boom;
            },
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBe(boom);
      await pause(50);
      expect(seen).toStrictEqual([0, 1, 2]);
      const streamed = await drain(
        pool.stream(
          'partsAndProgress',
          100,
          withOptions({
            onProgress: () => {
              throw boom;
            },
          }),
        ),
      );
      expect(streamed.error).toBe(boom);
      expect(await pool.run('later', 1, 5)).toBe(5);
    });

    it('a progress value that cannot be cloned fails the call with NotCloneableError naming its path', async () => {
      const pool = make();
      const seen: unknown[] = [];
      const error = (await pool
        .exec('uncloneableProgress', [], { onProgress: (v) => seen.push(v) })
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('progress.nested[1].fn');
      expect(seen).toStrictEqual([{ ok: 1 }]);
      // onProgress must be a function.
      const bad = await pool
        .exec('reportsProgress', [1], { onProgress: 'no' as unknown as () => void })
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(TypeError);
    });
  });

  describe(`${name}: streams under load`, () => {
    it('hundreds of concurrent streams and runs, with aborts, early breaks, throws (and a crash) among them, all settle as specified', async () => {
      const pool = make();
      const controller = new AbortController();
      const outcomes: Promise<string>[] = [];
      const crashes = ownsWorkers ? [137, 311] : [];
      for (let i = 0; i < 400; i++) {
        const kind = i % 8;
        if (crashes.includes(i)) {
          outcomes.push(
            drain(pool.stream('exitsAfter', 2)).then(({ error }) =>
              error instanceof WorkerExitError ? 'ok' : `crash: ${String(error)}`,
            ),
          );
        } else if (kind === 0 || kind === 1) {
          const n = 10 + (i % 30);
          // A crash also ends what shared its worker: those reject with WorkerExitError.
          outcomes.push(
            drain(pool.stream('countTo', n)).then(({ parts, error }) => {
              if (error instanceof WorkerExitError && crashes.length > 0) return 'ok';
              if (error) return `countTo: ${String(error)}`;
              return parts.length === n && parts.every((p, j) => p === j + 1)
                ? 'ok'
                : `countTo parts ${parts.length}`;
            }),
          );
        } else if (kind === 2) {
          outcomes.push(
            (async () => {
              let read = 0;
              try {
                for await (const _ of pool.stream('endless')) if (++read === 10) break;
              } catch (error) {
                if (error instanceof WorkerExitError && crashes.length > 0) return 'ok';
                return `endless: ${String(error)}`;
              }
              return read === 10 ? 'ok' : `endless read ${read}`;
            })(),
          );
        } else if (kind === 3) {
          outcomes.push(
            drain(
              pool.stream('stalls', undefined, withOptions({ signal: controller.signal })),
            ).then(({ error }) =>
              error instanceof TaskAbortedError ||
              (error instanceof WorkerExitError && crashes.length > 0)
                ? 'ok'
                : `stalls: ${String(error)}`,
            ),
          );
        } else if (kind === 4) {
          outcomes.push(
            drain(pool.stream('throwsAfter', 3)).then(({ parts, error }) =>
              (error as Error | undefined)?.name === 'StreamError' && parts.length === 3
                ? 'ok'
                : error instanceof WorkerExitError && crashes.length > 0
                  ? 'ok'
                  : `throwsAfter: ${String(error)} ${parts.length}`,
            ),
          );
        } else {
          const seen: unknown[] = [];
          outcomes.push(
            pool.run('reportsProgress', 5, withOptions({ onProgress: (v) => seen.push(v) })).then(
              (value) => (value === 'done' && seen.length === 6 ? 'ok' : `progress ${seen.length}`),
              (error: unknown) =>
                error instanceof WorkerExitError && crashes.length > 0
                  ? 'ok'
                  : `progress: ${String(error)}`,
            ),
          );
        }
      }
      setTimeout(() => controller.abort(), 100);
      const settled = await Promise.all(outcomes);
      expect(settled.filter((o) => o !== 'ok')).toStrictEqual([]);
      expect(await collect(pool.stream('countTo', 3))).toStrictEqual([1, 2, 3]);
      await pool.close();
    }, 120_000);
  });
}
