/** Conformance: cancellation — abort before and during a task, `taskSignal()`, aborting a map. */
import { TaskAbortedError, TaskTimeoutError } from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from './context.js';

/** Registers the cancellation cases. */
export function cancellationCases({ target, ownsWorkers, make }: SuiteContext): void {
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
}
