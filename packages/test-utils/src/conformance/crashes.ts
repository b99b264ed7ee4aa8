/** Conformance: crashes — a worker that exits, throws uncaught or runs out of memory mid-task. */
import { type Executor, WorkerExitError, workerIdsOf } from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import type { SuiteContext } from './context.js';

/** Registers the crashes cases. */
export function crashCases({ target, make }: SuiteContext): void {
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
        const error = (await pool.run('exhaustMemory').catch((e: unknown) => e)) as WorkerExitError;
        expect(error).toBeInstanceOf(WorkerExitError);
        expect(await pool.run('echo', 'recovered')).toBe('recovered');
      }, 60_000);
    }
  });
}
