/**
 * Conformance of worker start-up: a task module that never finishes importing, or that fails
 * while loading in a way no `try` sees (an unhandled rejection). Calls settle with a typed
 * error, `close()` settles, and no worker is left behind or respawned in a loop.
 */
import {
  type Executor,
  ModuleLoadError,
  TaskTimeoutError,
  WorkerStartError,
} from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import { fixtureUrl } from '../fixture-urls.js';

/** What the start cases need from the suite. */
export interface StartCaseContext {
  readonly name: string;
  /** Creates an executor over `module`, terminated after each test. */
  make(options: Record<string, unknown>, module: URL): Executor<{ neverReached(): string }>;
  /** Counts this backend's live workers in the OS. */
  liveWorkers(): number;
}

/** Registers the start-up cases (for backends that start their own workers). */
export function runStartCases({ name, make, liveWorkers }: StartCaseContext): void {
  describe(`${name}: worker start-up`, () => {
    it('a module whose import never finishes: calls reject with WorkerStartError after startTimeout, a call timeout counts from the call, close() settles', async () => {
      const before = liveWorkers();
      const pool = make({ startTimeout: 1_000, workers: 1 }, fixtureUrl('hangs-on-load'));
      const timed = pool.exec('neverReached', [], { timeout: 100 }).catch((e: unknown) => e);
      const waiting = pool.run('neverReached').catch((e: unknown) => e);
      expect(await timed).toBeInstanceOf(TaskTimeoutError);
      const error = (await waiting) as WorkerStartError;
      expect(error).toBeInstanceOf(WorkerStartError);
      expect(error.message).toContain('hangs-on-load');
      await pool.close();
      expect(liveWorkers()).toBeLessThanOrEqual(before);
    }, 20_000);

    it('a module that raises an unhandled rejection while loading rejects with ModuleLoadError once, without a respawn loop', async () => {
      const pool = make({ workers: 2 }, fixtureUrl('rejects-on-load'));
      const errors = await Promise.all(
        Array.from({ length: 5 }, () => pool.run('neverReached').catch((e: unknown) => e)),
      );
      for (const error of errors) {
        expect(error).toBeInstanceOf(ModuleLoadError);
        expect((error as Error).message).toContain('rejected while the module loads');
      }
      // Nothing waits: the workers that failed go, and none is started again until a call comes.
      const end = Date.now() + 5_000;
      while (pool.stats().workers > 0 && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(pool.stats().workers).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(pool.stats().workers).toBe(0);
      await pool.close();
    }, 20_000);
  });
}
