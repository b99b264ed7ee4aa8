/**
 * The `niceIncrement` suite of the backends that start local workers (worker-threads,
 * threadsjs, child-process, cluster): each worker runs that many nice levels below the host,
 * replaced workers too, under a burst with crashes among it; the host keeps its own priority;
 * bad values are refused at construction. Linux only (where threads have their own priority).
 */
import { readlinkSync } from 'node:fs';
import { getPriority } from 'node:os';
import { type Executor, WorkerExitError } from '@manyhands/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureUrl } from './fixture-urls.js';
import type * as PriorityTasks from './fixtures/priority-tasks.js';

/** How the suite drives one backend. */
export interface PriorityTarget {
  /** Backend name, used in test titles. */
  readonly name: string;
  /** Creates an executor of this backend. */
  create<M>(module: URL | string, options?: Record<string, unknown>): Executor<M>;
  /** Whether a worker is a process (all its threads lowered) or a thread (only itself). */
  readonly workers: 'threads' | 'processes';
}

const PRIORITY_TASKS = fixtureUrl('priority-tasks');

/** The nice value of the calling thread. */
function ownNice(): number {
  return getPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()));
}

/** Runs the `niceIncrement` suite against one backend (skipped off Linux). */
export function runPrioritySuite(target: PriorityTarget): void {
  const open: Executor<unknown>[] = [];
  const make = (options: Record<string, unknown> = {}) => {
    const executor = target.create<typeof PriorityTasks>(PRIORITY_TASKS, options);
    open.push(executor as Executor<unknown>);
    return executor;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.terminate()));
  });

  describe.runIf(process.platform === 'linux')(`${target.name}: niceIncrement`, () => {
    it('workers run at the host’s priority by default', async () => {
      const pool = make({ workers: 2 });
      const nices = await Promise.all(Array.from({ length: 20 }, () => pool.run('threadNice')));
      expect(new Set(nices)).toStrictEqual(new Set([ownNice()]));
    });

    it('every worker, and every replacement of a crashed one, runs that much lower; the host keeps its priority', async () => {
      const host = ownNice();
      const expected = Math.min(19, host + 5);
      // One worker, so that the calls after each crash run on its replacement.
      const pool = make({ workers: 1, niceIncrement: 5 });
      // 2,000 concurrent calls; three of them end the worker, which is replaced each time.
      const crashes = new Set([400, 1_000, 1_600]);
      const settled = await Promise.allSettled(
        Array.from({ length: 2_000 }, (_, i) =>
          pool.run('niceUnlessNegative', crashes.has(i) ? -1 : i),
        ),
      );
      settled.forEach((outcome, i) => {
        if (crashes.has(i)) {
          expect(outcome.status, `call ${i}`).toBe('rejected');
          expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WorkerExitError);
        } else {
          expect(outcome, `call ${i}`).toStrictEqual({ status: 'fulfilled', value: expected });
        }
      });
      expect(await pool.run('threadNice')).toBe(expected);
      expect(ownNice()).toBe(host);
    });

    it(
      target.workers === 'processes'
        ? 'a worker process lowers every one of its threads'
        : 'a worker thread lowers only itself',
      async () => {
        const pool = make({ workers: 1, niceIncrement: 3 });
        const nices = await pool.run('processNices');
        const lowered = Math.min(19, ownNice() + 3);
        if (target.workers === 'processes') expect(nices).toStrictEqual([lowered]);
        else expect(nices).toStrictEqual([ownNice(), lowered].sort((a, b) => a - b));
      },
    );

    it('the increment stops at the lowest priority, 19', async () => {
      expect(await make({ workers: 1, niceIncrement: 19 }).run('threadNice')).toBe(19);
    });

    it('rejects a bad niceIncrement at construction', () => {
      const bad: [unknown, typeof TypeError | typeof RangeError][] = [
        ['5', TypeError],
        [Number.NaN, TypeError],
        [-1, RangeError],
        [1.5, RangeError],
        [20, RangeError],
      ];
      for (const [niceIncrement, type] of bad) {
        expect(() => make({ niceIncrement }), String(niceIncrement)).toThrow(type);
      }
    });
  });
}
