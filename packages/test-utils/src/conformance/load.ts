/**
 * Conformance under load: each contract also with thousands of concurrent calls and a crash,
 * an abort or a skewed cost among them. Part of the conformance suite (see `conformance/index.ts`).
 */
import {
  type Executor,
  failedInputIndex,
  NotCloneableError,
  TaskAbortedError,
  TaskTimeoutError,
  WorkerExitError,
  withOptions,
} from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import type { FixtureTasks } from './context.js';

/** What the load cases need from the suite. */
export interface LoadCaseContext {
  readonly name: string;
  /** Creates an executor over the fixture tasks, closed after each test. */
  make(options?: Record<string, unknown>): Executor<FixtureTasks>;
  /** The executor starts, interrupts and replaces its workers itself. */
  readonly ownsWorkers: boolean;
}

/** Registers the load cases. */
export function runLoadCases({ name, make, ownsWorkers }: LoadCaseContext): void {
  describe(`${name}: under load`, () => {
    if (ownsWorkers) {
      it('a crash storm rejects exactly the calls that ended their worker; every other call completes', async () => {
        const pool = make();
        const n = 1_000;
        const outcomes = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            pool.run('exitIfNegative', i % 100 === 99 ? -1 : i).then(
              (value) => (value === i + 1 ? 'ok' : `wrong value ${String(value)}`),
              (error: unknown) =>
                i % 100 === 99 && error instanceof WorkerExitError
                  ? 'exited'
                  : `wrong error ${String(error)}`,
            ),
          ),
        );
        expect(outcomes.filter((o) => o === 'exited')).toHaveLength(10);
        expect(outcomes.filter((o) => o === 'ok')).toHaveLength(n - 10);
        expect(await pool.run('echo', 'alive')).toBe('alive');
      }, 60_000);

      it('a map item that ends its worker rejects the map with WorkerExitError naming that item', async () => {
        const pool = make();
        const inputs = Array.from({ length: 10_000 }, (_, i) => (i === 6_543 ? -1 : i));
        const error = await pool.map('exitIfNegative', inputs).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WorkerExitError);
        expect(failedInputIndex(error)).toBe(6_543);
        const again = await pool.map('exitIfNegative', [1, 2, 3]);
        expect(again).toStrictEqual([2, 3, 4]);
      }, 60_000);

      it('a worker that dies holding a deep queue of small chunks loses only the map whose item ended it', async () => {
        const pool = make();
        // Chunks of 10 cheap items: each worker holds dozens at once, with results that fill
        // a process's pipe; the one that ends its worker is among them, with an abort nearby.
        const padded = (i: number) => String(i).padStart(256, '.');
        const range = (n: number) => Array.from({ length: n }, (_, i) => i);
        const others = [0, 1, 2].map(() =>
          pool.map('paddedOrExit', range(5_000), { chunkSize: 10 }),
        );
        const crashing = pool
          .map(
            'paddedOrExit',
            range(4_000).map((i) => (i === 2_345 ? -1 : i)),
            { chunkSize: 10 },
          )
          .catch((e: unknown) => e);
        const controller = new AbortController();
        const aborted = pool
          .map('paddedOrExit', range(20_000), { chunkSize: 10, signal: controller.signal })
          .then(
            (values) => values.every((v, i) => v === padded(i)),
            (e: unknown) => e instanceof TaskAbortedError,
          );
        setTimeout(() => controller.abort('enough'), 5);
        const error = await crashing;
        expect(error).toBeInstanceOf(WorkerExitError);
        expect(failedInputIndex(error)).toBe(2_345);
        expect(await aborted).toBe(true);
        for (const values of await Promise.all(others)) {
          expect(values).toHaveLength(5_000);
          expect(values.every((v, i) => v === padded(i))).toBe(true);
        }
        expect(await pool.run('echo', 'alive')).toBe('alive');
      }, 60_000);
    }

    it('a burst of thousands of calls with hostile values among them rejects only those calls, each with its path', async () => {
      const pool = make();
      await pool.run('noop');
      const getter = Object.defineProperty({}, 'bad', {
        enumerable: true,
        get: () => {
          throw new RangeError('getter');
        },
      });
      const expected = (i: number): unknown =>
        i % 3 === 0 ? `s${i}` : i % 3 === 1 ? BigInt(i) ** 3n : [i, { i }];
      // One batch of plain calls (the process channel's compact frames) with, among them, an
      // argument whose getter throws, an argument holding a function, an argument only V8's
      // format carries (a Map), and a result whose getter throws.
      const calls = Array.from({ length: 3_000 }, (_, i): Promise<unknown> => {
        if (i === 777) return pool.run('echo', getter);
        if (i === 1_500) return pool.run('echo', { fn: () => 1 } as unknown as number);
        if (i === 2_222) return pool.run('echo', new Map([[i, `v${i}`]]));
        if (i === 2_900) return pool.run('returnThrowingGetter');
        return pool.run('echo', expected(i));
      });
      const settled = await Promise.allSettled(calls);
      const paths = new Map([
        [777, 'args[0].bad'],
        [1_500, 'args[0].fn'],
        [2_900, 'result.bad'],
      ]);
      settled.forEach((outcome, i) => {
        const path = paths.get(i);
        if (path !== undefined) {
          expect(outcome.status).toBe('rejected');
          const reason = (outcome as PromiseRejectedResult).reason as NotCloneableError;
          expect(reason).toBeInstanceOf(NotCloneableError);
          expect(reason.path).toBe(path);
        } else if (i === 2_222) {
          expect(outcome).toStrictEqual({ status: 'fulfilled', value: new Map([[i, `v${i}`]]) });
        } else {
          expect(outcome).toStrictEqual({ status: 'fulfilled', value: expected(i) });
        }
      });
      expect(await pool.run('echo', 'alive')).toBe('alive');
    }, 60_000);

    it('a map names the absolute input of a non-cloneable input or result', async () => {
      const pool = make();
      const inputs: unknown[] = Array.from({ length: 100 }, (_, i) => i);
      inputs[57] = { nested: () => 1 };
      const error = (await pool
        .map('echo', inputs as number[], { chunkSize: 10 })
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('inputs[57].nested');
      expect(failedInputIndex(error)).toBe(57);
      const resultError = (await pool
        .map(
          'uncloneableFor13',
          Array.from({ length: 40 }, (_, i) => i),
          { chunkSize: 10 },
        )
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(resultError).toBeInstanceOf(NotCloneableError);
      expect(resultError.path).toBe('result[13].fn');
      expect(failedInputIndex(resultError)).toBe(13);
      expect(await pool.run('echo', 'alive')).toBe('alive');
    });

    if (ownsWorkers) {
      it('a mixed storm (crashes, aborts, timeouts, throws, maps) settles every call as specified, then closes', async () => {
        const pool = make();
        const controller = new AbortController();
        const calls: Promise<string>[] = [];
        const expectOutcome = (
          call: Promise<unknown>,
          ok: (value: unknown) => boolean,
          allowed: readonly (new (...args: never[]) => Error)[],
        ) =>
          call.then(
            (value) => (ok(value) ? 'ok' : `wrong value ${String(value)}`),
            (error: unknown) =>
              allowed.some((kind) => error instanceof kind) ? 'ok' : `wrong error ${String(error)}`,
          );
        for (let i = 0; i < 600; i++) {
          const kind = i % 20;
          if (kind < 8) calls.push(expectOutcome(pool.run('square', i), (v) => v === i * i, []));
          else if (kind < 11) {
            // Async: may be running on a worker another task ends, which rejects it too.
            calls.push(expectOutcome(pool.run('sleep', 3, i), (v) => v === i, [WorkerExitError]));
          } else if (kind === 11) {
            calls.push(
              expectOutcome(pool.run('exitIfNegative', -1), () => false, [WorkerExitError]),
            );
          } else if (kind === 12) {
            calls.push(expectOutcome(pool.run('squareUnless13', 13), () => false, [RangeError]));
          } else if (kind === 13) {
            const call = pool.run('sleep', 40, i, withOptions({ signal: controller.signal }));
            calls.push(expectOutcome(call, (v) => v === i, [TaskAbortedError, WorkerExitError]));
          } else if (kind === 14) {
            const call = pool.run('sleep', 5_000, i, withOptions({ timeout: 30 }));
            calls.push(expectOutcome(call, () => false, [TaskTimeoutError, WorkerExitError]));
          } else if (kind === 15) {
            const costs = Array.from({ length: 40 }, (_, k) => (k === 39 ? 3 : 0));
            calls.push(
              expectOutcome(
                pool.map('spin', costs),
                (v) => Array.isArray(v) && v.length === 40,
                [],
              ),
            );
          } else
            calls.push(
              expectOutcome(pool.run('echo', { i }), (v) => (v as { i: number }).i === i, []),
            );
        }
        setTimeout(() => controller.abort('enough'), 20);
        const outcomes = await Promise.all(calls);
        expect(outcomes.filter((o) => o !== 'ok')).toStrictEqual([]);
        expect(await pool.run('echo', 'alive')).toBe('alive');
        await pool.close();
      }, 120_000);
    }

    it('thousands of calls sharing one signal, aborted halfway: the rest reject, the executor carries on', async () => {
      const pool = make();
      const controller = new AbortController();
      const calls = Array.from({ length: 2_000 }, (_, i) =>
        pool.run('sleep', 1 + (i % 5), i, withOptions({ signal: controller.signal })).then(
          (value) => value,
          (error: unknown) => error,
        ),
      );
      await calls[10];
      controller.abort('enough');
      const outcomes = await Promise.all(calls);
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome !== i) expect(outcome).toBeInstanceOf(TaskAbortedError);
      }
      expect(outcomes.some((o) => o instanceof TaskAbortedError)).toBe(true);
      expect(await pool.run('echo', 'alive')).toBe('alive');
    }, 60_000);

    it('a skewed map (a few items cost far more) returns every result in order', async () => {
      const pool = make();
      const costs = Array.from({ length: 2_000 }, (_, i) => (i >= 1_950 ? 2 : 0));
      const out = await pool.map('spin', costs);
      expect(out).toHaveLength(costs.length);
      expect(out.every((v) => typeof v === 'number')).toBe(true);
    }, 60_000);

    it('an IO-bound map, once cut into equal waiting chunks, keeps every result in place: maps at once, a failing item, an abort', async () => {
      const pool = make();
      const task = 'ioDoubleUnlessNegative';
      const inputs = Array.from({ length: 3_000 }, (_, i) => i);
      const doubled = inputs.map((i) => i * 2);
      // The first map measures that the task waits; the next ones are chunked as IO-bound.
      expect(await pool.map(task, inputs)).toStrictEqual(doubled);
      const controller = new AbortController();
      const settled = Promise.allSettled([
        pool.map(task, inputs),
        pool.map(task, inputs.slice(0, 1_001)),
        pool.map(
          task,
          inputs.map((i) => (i === 2_222 ? -1 : i)),
        ),
        pool.map(task, inputs, { signal: controller.signal }),
        pool.map(task, inputs.slice(0, 7)),
      ]);
      controller.abort('enough');
      const [all, odd, failing, aborted, tiny] = await settled;
      expect(all).toStrictEqual({ status: 'fulfilled', value: doubled });
      expect(odd).toStrictEqual({ status: 'fulfilled', value: doubled.slice(0, 1_001) });
      expect(tiny).toStrictEqual({ status: 'fulfilled', value: doubled.slice(0, 7) });
      expect(failing.status).toBe('rejected');
      const error = (failing as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(RangeError);
      expect(failedInputIndex(error)).toBe(2_222);
      expect(aborted.status).toBe('rejected');
      expect((aborted as PromiseRejectedResult).reason).toBeInstanceOf(TaskAbortedError);
      expect(await pool.map(task, inputs.slice(0, 2_500))).toStrictEqual(doubled.slice(0, 2_500));
      expect(await pool.run('echo', 'alive')).toBe('alive');
    }, 60_000);

    it('breaking out of imap cancels its chunks still queued or running', async () => {
      const pool = make();
      let seen = 0;
      for await (const _ of pool.imap(
        'sleep',
        Array.from({ length: 200 }, () => 50),
        {
          chunkSize: 1,
        },
      )) {
        if (++seen === 3) break;
      }
      const stats = pool.stats();
      expect(stats.running + stats.queued).toBe(0);
      expect(await pool.run('echo', 'alive')).toBe('alive');
    }, 60_000);
  });
}
