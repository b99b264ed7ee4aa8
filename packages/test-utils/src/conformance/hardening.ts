/**
 * The hardening cases of the conformance suite (issue 9): task code, arguments and results that
 * try to kill or confuse the host. Whatever a task throws, returns or is given, the host lives,
 * every call settles with a value or a typed error, and the executor stays usable.
 */
import {
  type Executor,
  NotCloneableError,
  QueueFullError,
  TaskTimeoutError,
  WorkerExitError,
} from '@manyhands/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureUrl } from '../fixture-urls.js';
import { realize } from '../fixtures/hostile-values.js';
import { thrownRecipeArbitrary, valueRecipeArbitrary } from '../hostile-arbitraries.js';
import type { ConformanceTarget, FixtureTasks } from './context.js';

const TASKS = fixtureUrl('tasks');

/** Names of `Object.prototype`'s keys that once crashed the host's error decoding. */
const PROTOTYPE_NAMES = ['toString', '__proto__', 'hasOwnProperty', 'constructor', 'valueOf'];

/** Runs the hardening cases against one backend (called by `runConformanceSuite`). */
export function hardeningCases(target: ConformanceTarget): void {
  const workers = target.workers ?? 2;
  const open: Executor<unknown>[] = [];
  const make = (options: Record<string, unknown> = {}): Executor<FixtureTasks> => {
    const executor = target.create<FixtureTasks>(TASKS, { workers, ...options });
    open.push(executor as Executor<unknown>);
    return executor;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.terminate()));
  });

  describe(`${target.name}: hardening: hostile errors`, () => {
    it.each(PROTOTYPE_NAMES)(
      'an error named %j arrives as an Error with that name',
      async (name) => {
        const pool = make();
        const error = (await pool
          .run('throwNamed', name, 'named')
          .catch((e: unknown) => e)) as Error;
        expect(error).toBeInstanceOf(Error);
        expect(error.name).toBe(name);
        expect(error.message).toBe('named');
        expect(await pool.run('echo', 'alive')).toBe('alive');
      },
    );

    it('an error whose message, stack, name, constructor, cause or own getter throws arrives as an Error with what could be read', async () => {
      const pool = make({ workers: 1 });
      await pool.run('echo', 'warm');
      // Held by the same worker: it must not die with the hostile error.
      const neighbour = pool.run('sleep', 200, 'neighbour');
      neighbour.catch(() => {});
      for (const parts of [
        ['message'],
        ['stack'],
        ['prop'],
        ['message', 'stack', 'name', 'constructor', 'cause', 'prop'],
      ] as const) {
        const error = (await pool
          .run('throwHostileError', parts)
          .catch((e: unknown) => e)) as Error & { code?: string };
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(WorkerExitError);
        expect(error.code).toBe('E_HOSTILE');
        if (!parts.includes('message' as never)) expect(error.message).toBe('hostile error');
      }
      expect(await neighbour).toBe('neighbour');
      expect(await pool.run('echo', 'alive')).toBe('alive');
    });

    it('a thrown Proxy whose traps all throw rejects with a description, sync or async', async () => {
      const pool = make();
      for (const ms of [undefined, 1]) {
        const reason = await pool.run('throwHostileProxy', ms).catch((e: unknown) => e);
        expect(reason).not.toBeInstanceOf(WorkerExitError);
        expect(typeof reason).toBe('string');
      }
      expect(await pool.run('echo', 'alive')).toBe('alive');
    });

    it('an error whose cause is itself arrives with the cycle cut', async () => {
      const pool = make();
      const error = (await pool.run('throwCauseCycle').catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe('cycle');
      expect(error.cause).toBeUndefined();
    });
  });

  describe(`${target.name}: hardening: hostile arguments and results`, () => {
    it('a result with a throwing getter rejects that call with NotCloneableError at the getter', async () => {
      const pool = make();
      const error = (await pool
        .run('returnThrowingGetter')
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('result.bad');
      expect(await pool.run('echo', 'alive')).toBe('alive');
    });

    it('run() with a Proxy as its last argument returns a promise that rejects with NotCloneableError', async () => {
      const pool = make();
      const trap = () => {
        throw new Error('hostile trap');
      };
      const proxy = new Proxy({}, { get: trap });
      let call: Promise<unknown> | undefined;
      expect(() => {
        call = pool.run('echo', proxy as unknown as number);
      }).not.toThrow();
      const error = (await call?.catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('args[0]');
    });

    it('an argument with a throwing getter, or a Proxy whose traps throw, rejects with NotCloneableError; the host lives', async () => {
      const pool = make();
      const getter = Object.defineProperty({ fine: 1 }, 'bad', {
        get: () => {
          throw new Error('hostile getter');
        },
        enumerable: true,
      });
      const trap = () => {
        throw new Error('hostile trap');
      };
      const proxy = new Proxy({}, { ownKeys: trap, get: trap, getPrototypeOf: trap });
      const others = [pool.run('echo', 1), pool.run('echo', 2)];
      for (const other of others) other.catch(() => {});
      const e1 = (await pool
        .run('echo', { nested: getter } as unknown as number)
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(e1).toBeInstanceOf(NotCloneableError);
      expect(e1.path).toBe('args[0].nested.bad');
      const e2 = (await pool
        .run('echo', [0, proxy] as unknown as number)
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(e2).toBeInstanceOf(NotCloneableError);
      expect(e2.path).toBe('args[0][1]');
      await expect(pool.map('echo', [1, getter as unknown as number])).rejects.toBeInstanceOf(
        NotCloneableError,
      );
      expect(await Promise.all(others)).toStrictEqual([1, 2]);
      expect(await pool.run('echo', 'alive')).toBe('alive');
    });
  });

  describe(`${target.name}: hardening: limits`, () => {
    it('timeout or idleTimeout past 2^31-1 ms is a RangeError, not a timer that fires at once', async () => {
      const pool = make();
      await expect(pool.exec('sleep', [1, 'ok'], { timeout: 3e9 })).rejects.toThrow(RangeError);
      await expect(pool.map('square', [1], { timeout: 2 ** 31 })).rejects.toThrow(RangeError);
      expect(await pool.exec('sleep', [20, 'ok'], { timeout: 2 ** 31 - 1 })).toBe('ok');
      expect(() => target.create(TASKS, { idleTimeout: 2 ** 31 })).toThrow(RangeError);
    });

    it('timeout: Infinity means no limit', async () => {
      const pool = make();
      const result = await pool
        .exec('sleep', [50, 'ok'], { timeout: Number.POSITIVE_INFINITY })
        .catch((e: unknown) => e);
      expect(result).not.toBeInstanceOf(TaskTimeoutError);
      expect(result).toBe('ok');
      expect(await pool.map('square', [1, 2], { timeout: Number.POSITIVE_INFINITY })).toStrictEqual(
        [1, 4],
      );
    });

    it('maxQueue: 0 is refused at construction', () => {
      expect(() => target.create(TASKS, { maxQueue: 0 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { maxQueue: 0 })).toThrow(/maxQueue/);
    });

    it('map respects maxQueue: a map started on a full queue rejects with QueueFullError', async () => {
      const pool = make({ workers: 1, maxQueue: 1 });
      const queued = pool.run('sleep', 50, 'a');
      const mapping = pool.map('square', [1, 2, 3]);
      await expect(mapping).rejects.toBeInstanceOf(QueueFullError);
      expect(await queued).toBe('a');
      expect(await pool.map('square', [1, 2, 3])).toStrictEqual([1, 4, 9]);
    });

    it('workers past 1024 is a RangeError', () => {
      expect(() => target.create(TASKS, { workers: 1025 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { workers: 10_000 })).toThrow(/workers/);
    });

    it('one AbortSignal shared by 20 calls prints no MaxListenersExceededWarning', async () => {
      const pool = make();
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        const controller = new AbortController();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            pool.exec('echo', [i], { signal: controller.signal }),
          ),
        );
        expect(results).toStrictEqual(Array.from({ length: 20 }, (_, i) => i));
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    });
  });

  if (target.isolated) {
    describe(`${target.name}: hardening: the wire`, () => {
      it('messages with the pool’s brand and a malformed body are dropped: the host lives, later calls work', async () => {
        const pool = make();
        expect(await pool.run('forgeWireMessages')).toBe('forged');
        // A forged `ready` with no task list must not make later calls fail as unknown tasks.
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => pool.run('forgeWireMessages').then(() => i)),
        );
        expect(results).toStrictEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(await pool.run('echo', 'alive')).toBe('alive');
        expect(await pool.map('square', [1, 2, 3])).toStrictEqual([1, 4, 9]);
      });
    });
  }

  describe(`${target.name}: hardening: properties`, () => {
    it('arbitrary thrown values, arguments and results: every call settles with a value or a typed error; the executor stays usable', async () => {
      const pool = make();
      await pool.run('echo', 'warm');
      await fc.assert(
        fc.asyncProperty(
          thrownRecipeArbitrary,
          valueRecipeArbitrary,
          valueRecipeArbitrary,
          async (thrown, result, argument) => {
            const arg = realize(argument);
            let argClones = true;
            try {
              structuredClone(arg);
            } catch {
              argClones = false;
            }
            const [threw, returned, echoed] = await Promise.allSettled([
              pool.run('throwRecipe', thrown),
              pool.run('returnRecipe', result),
              pool.run('echo', arg as number),
            ]);
            // A throwing task rejects with what it threw (rebuilt), never a dead worker.
            expect(threw.status).toBe('rejected');
            const reason = (threw as PromiseRejectedResult).reason;
            expect(reason).not.toBeInstanceOf(WorkerExitError);
            if ('error' in thrown) expect(reason).toBeInstanceOf(Error);
            // A result arrives, or NotCloneableError says why it could not (or, as for a
            // promise, the error its `then` getter threw).
            if (returned.status === 'rejected') {
              expect(returned.reason).toBeInstanceOf(Error);
              expect(returned.reason).not.toBeInstanceOf(WorkerExitError);
            }
            if (argClones) expect(echoed.status).toBe('fulfilled');
            else expect((echoed as PromiseRejectedResult).reason).toBeInstanceOf(NotCloneableError);
          },
        ),
        { numRuns: 40 },
      );
      expect(await pool.map('square', [1, 2, 3])).toStrictEqual([1, 4, 9]);
    }, 60_000);
  });
}
