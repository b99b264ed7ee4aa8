/**
 * Conformance of a worker's life around its tasks (issue 12): the `initializer` with its
 * `initArgs` (state visible to tasks; a failing one is a `WorkerStartError`, not a respawn
 * loop), the `teardown` on a polite stop (one that hangs is cut off, `close()` settles),
 * `recycleAtMemoryMb` during a map (every item exactly once, new workers take over), and a
 * TypeScript task module. Each also under load: hundreds of concurrent calls.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type Executor,
  ModuleLoadError,
  NotCloneableError,
  WorkerStartError,
} from '@manyhands/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureUrl } from '../fixture-urls.js';
import type * as Lifecycle from '../fixtures/lifecycle-tasks.js';

type LifecycleTasks = typeof Lifecycle;

const LIFECYCLE = fixtureUrl('lifecycle-tasks');

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

/** A fresh file path in the temp folder, removed after the test. */
function tempFile(files: string[], suffix = '.txt'): string {
  const file = join(tmpdir(), `manyhands-life-${process.pid}-${randomUUID()}${suffix}`);
  files.push(file);
  return file;
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * What the worker-life cases need of a backend: the fields of the suite's `ConformanceTarget`
 * they read (declared here, so this file does not import the suite that imports it).
 */
export interface LifecycleTarget {
  readonly name: string;
  create<M>(module: URL | string, options?: Record<string, unknown>): Executor<M>;
  readonly isolated: boolean;
  readonly remoteWorkers?: boolean;
  liveWorkers(): number;
  readonly workers?: number;
}

/** Registers the worker-life cases (called by `runConformanceSuite`). */
export function workerLifeCases(target: LifecycleTarget): void {
  const workers = target.workers ?? 2;
  const ownsWorkers = target.isolated && !target.remoteWorkers;
  const open: Executor<unknown>[] = [];
  const files: string[] = [];
  const make = (options: Record<string, unknown> = {}, module: URL = LIFECYCLE) => {
    const executor = target.create<LifecycleTasks>(module, { workers, ...options });
    open.push(executor as Executor<unknown>);
    return executor;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.terminate()));
    for (const file of files.splice(0)) rmSync(file, { force: true });
  });

  describe(`${target.name}: worker life: initializer`, () => {
    for (const initializer of ['setUp', 'setUpLater'] as const) {
      it(`${initializer} receives initArgs before the first task; its state is visible to 500 concurrent calls`, async () => {
        const pool = make({ initializer, initArgs: ['ab', 2] });
        const results = await Promise.all(
          Array.from({ length: 500 }, (_, i) => pool.run('greet', String(i))),
        );
        for (const [i, result] of results.entries()) expect(result.text).toBe(`abab ${i}`);
        if (ownsWorkers) {
          // Once per worker: each worker's module instance ran it exactly once.
          for (const result of results) expect(result.initializations).toBe(1);
          expect(new Set(results.map((r) => r.token)).size).toBeLessThanOrEqual(workers);
        }
        const mapped = await pool.map('greet', ['x', 'y', 'z']);
        expect(mapped.map((r) => r.text)).toStrictEqual(['abab x', 'abab y', 'abab z']);
        await pool.close();
      }, 20_000);
    }

    const failing = [
      {
        initializer: 'setUpThrows',
        initArgs: ['bad config'],
        cause: RangeError,
        says: 'bad config',
      },
      { initializer: 'setUpRejects', initArgs: ['no db'], cause: TypeError, says: 'no db' },
      { initializer: 'notAFunction', initArgs: [], cause: TypeError, says: 'not a function' },
      { initializer: 'noSuchExport', initArgs: [], cause: TypeError, says: 'not a function' },
    ] as const;
    for (const { initializer, initArgs, cause, says } of failing) {
      it(`an initializer that fails (${initializer}) rejects 300 concurrent calls with WorkerStartError naming it and its cause; no respawn loop; close() settles`, async () => {
        const before = ownsWorkers ? target.liveWorkers() : 0;
        const pool = make({ initializer, initArgs });
        const errors = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            pool.run('greet', String(i)).catch((e: unknown) => e),
          ),
        );
        for (const error of errors) {
          expect(error).toBeInstanceOf(WorkerStartError);
          expect((error as Error).message).toContain(`"${initializer}"`);
          expect((error as Error).message).toContain(says);
          expect((error as Error).cause).toBeInstanceOf(cause);
        }
        if (ownsWorkers) {
          // The workers that failed go, and none starts again until a call comes.
          expect(await waitFor(() => pool.stats().workers === 0, 5_000)).toBe(true);
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(pool.stats().workers).toBe(0);
          // A later call tries again (the cause may have gone), and fails the same way.
          await expect(pool.run('greet', 'again')).rejects.toBeInstanceOf(WorkerStartError);
        }
        await pool.close();
        if (ownsWorkers)
          expect(await waitFor(() => target.liveWorkers() <= before, 5_000)).toBe(true);
        // A new executor with a working initializer is unaffected.
        const good = make({ initializer: 'setUp', initArgs: ['ok', 1] });
        expect((await good.run('greet', 'now')).text).toBe('ok now');
        await good.close();
      }, 30_000);
    }

    if (ownsWorkers) {
      it('an initializer that never settles: calls reject with WorkerStartError after startTimeout, naming it; close() settles', async () => {
        const before = target.liveWorkers();
        const pool = make({ initializer: 'setUpHangs', startTimeout: 500 });
        const errors = await Promise.all(
          Array.from({ length: 200 }, () => pool.run('workerToken').catch((e: unknown) => e)),
        );
        for (const error of errors) {
          expect(error).toBeInstanceOf(WorkerStartError);
          expect((error as Error).message).toContain('its initializer "setUpHangs"');
        }
        await pool.close();
        expect(await waitFor(() => target.liveWorkers() <= before, 5_000)).toBe(true);
      }, 20_000);
    }

    it('rejects invalid initializer, teardown and memory options at construction', () => {
      expect(() => target.create(LIFECYCLE, { initializer: 42 })).toThrow(TypeError);
      expect(() => target.create(LIFECYCLE, { initializer: '' })).toThrow(TypeError);
      expect(() => target.create(LIFECYCLE, { initializer: 'setUp', initArgs: 'ab' })).toThrow(
        TypeError,
      );
      expect(() => target.create(LIFECYCLE, { initArgs: ['ab', 2] })).toThrow(
        /needs "initializer"/,
      );
      expect(() => target.create(LIFECYCLE, { initializer: 'setUp', initArgs: [() => 1] })).toThrow(
        NotCloneableError,
      );
      expect(() => target.create(LIFECYCLE, { teardown: 7 })).toThrow(TypeError);
      expect(() => target.create(LIFECYCLE, { teardownTimeout: -1 })).toThrow(RangeError);
      expect(() => target.create(LIFECYCLE, { teardownTimeout: '1' })).toThrow(TypeError);
      expect(() => target.create(LIFECYCLE, { recycleAtMemoryMb: 0 })).toThrow(RangeError);
      expect(() => target.create(LIFECYCLE, { recycleAtMemoryMb: '64' })).toThrow(TypeError);
      expect(() => target.create(LIFECYCLE, { trackHeap: 'yes' })).toThrow(TypeError);
    });
  });

  if (!target.remoteWorkers) {
    describe(`${target.name}: worker life: teardown`, () => {
      it('teardown runs once per worker on close(), after 400 concurrent calls', async () => {
        const marker = tempFile(files);
        const pool = make({
          initializer: 'setUp',
          initArgs: ['t', 1, marker],
          teardown: 'tearDown',
        });
        const results = await Promise.all(
          Array.from({ length: 400 }, (_, i) => pool.run('greet', String(i))),
        );
        expect(lines(marker)).toStrictEqual([]);
        await pool.close();
        const torn = lines(marker).map((line) => line.replace('torn down ', ''));
        const used = new Set(results.map((r) => r.token));
        // Every worker that ran a call tore down (one may have started and run none).
        for (const token of used) expect(torn).toContain(token);
        // Each worker (its own module instance) tears down once.
        if (ownsWorkers) expect(new Set(torn).size).toBe(torn.length);
      }, 20_000);

      if (ownsWorkers) {
        it('teardown runs when recycleAfter and idleTimeout stop a worker', async () => {
          const marker = tempFile(files);
          const pool = make({
            workers: 1,
            recycleAfter: 3,
            initializer: 'setUp',
            initArgs: ['r', 1, marker],
            teardown: 'tearDown',
          });
          const tokens: string[] = [];
          for (let i = 0; i < 7; i++) tokens.push((await pool.run('greet', String(i))).token);
          // Workers 1 and 2 were recycled after 3 tasks each.
          expect(await waitFor(() => lines(marker).length === 2, 10_000)).toBe(true);
          expect(lines(marker).sort()).toStrictEqual(
            [`torn down ${tokens[0]}`, `torn down ${tokens[3]}`].sort(),
          );
          expect(tokens[0]).not.toBe(tokens[3]);
          const idle = tempFile(files);
          const idler = make({
            idleTimeout: 50,
            initializer: 'setUp',
            initArgs: ['i', 1, idle],
            teardown: 'tearDown',
          });
          const token = (await idler.run('greet', 'x')).token;
          expect(await waitFor(() => lines(idle).length === 1, 10_000)).toBe(true);
          expect(lines(idle)).toStrictEqual([`torn down ${token}`]);
        }, 20_000);
      }

      it('a teardown that never settles is cut off after teardownTimeout: close() settles, no worker is left', async () => {
        const before = target.liveWorkers();
        const pool = make({ teardown: 'tearDownHangs', teardownTimeout: 100 });
        await Promise.all(Array.from({ length: 300 }, () => pool.run('workerToken')));
        await pool.close();
        expect(pool.stats().workers).toBe(0);
        expect(await waitFor(() => target.liveWorkers() <= before, 5_000)).toBe(true);
      }, 20_000);

      if (ownsWorkers) {
        it('a teardown stuck in a sync loop is cut off by ending its worker: close() settles', async () => {
          const before = target.liveWorkers();
          const pool = make({ teardown: 'tearDownSpins', teardownTimeout: 50 });
          await Promise.all(Array.from({ length: 300 }, () => pool.run('workerToken')));
          await pool.close();
          expect(pool.stats().workers).toBe(0);
          expect(await waitFor(() => target.liveWorkers() <= before, 5_000)).toBe(true);
        }, 30_000);

        it('terminate() does not wait for a teardown', async () => {
          const pool = make({ teardown: 'tearDownSpins' });
          await pool.run('workerToken');
          await pool.terminate();
          expect(pool.stats().workers).toBe(0);
        }, 20_000);
      }
    });
  }

  if (ownsWorkers) {
    describe(`${target.name}: worker life: recycleAtMemoryMb`, () => {
      it('a map whose task leaks runs every item exactly once while new workers take over; stats name the leaking task', async () => {
        const marker = tempFile(files);
        const pool = make({ recycleAtMemoryMb: 48 });
        const items = Array.from({ length: 160 }, (_, i) => i);
        const others = Array.from({ length: 300 }, () => pool.run('workerToken'));
        const results = await pool.starmap(
          'leak',
          items.map((i): [number, number, string] => [1, i, marker]),
          { chunkSize: 2 },
        );
        await Promise.all(others);
        expect(results.map((r) => r.item)).toStrictEqual(items);
        // Each item ran once: none was lost or run twice when its worker was replaced.
        const ran = lines(marker).map(Number);
        expect(ran.sort((a, b) => a - b)).toStrictEqual(items);
        const tokens = new Set(results.map((r) => r.token));
        expect(tokens.size).toBeGreaterThan(workers);
        const stats = pool.stats();
        expect(stats.memoryRecycles).toBeGreaterThanOrEqual(1);
        const growth = stats.heapGrowth.leak;
        expect(growth?.calls).toBe(160);
        expect(growth?.medianBytes).toBeGreaterThan(512 * 1024);
        const quiet = stats.heapGrowth.workerToken;
        expect(quiet?.medianBytes ?? 0).toBeLessThan(64 * 1024);
        expect(await pool.run('workerToken')).toBeTypeOf('string');
        await pool.close();
      }, 60_000);

      it('trackHeap reports heap growth per task without recycling', async () => {
        const pool = make({ workers: 1, trackHeap: true });
        for (let i = 0; i < 20; i++) await pool.run('leak', 1, i);
        const stats = pool.stats();
        expect(stats.memoryRecycles).toBe(0);
        expect(stats.heapGrowth.leak?.calls).toBe(20);
        expect(stats.heapGrowth.leak?.medianBytes).toBeGreaterThan(512 * 1024);
        const untracked = make();
        await untracked.run('leak', 1, 0);
        expect(untracked.stats().heapGrowth).toStrictEqual({});
      }, 30_000);
    });
  }

  if (!target.remoteWorkers) {
    describe(`${target.name}: worker life: TypeScript task modules`, () => {
      it('a .ts task module runs on Node >= 22.6; on older Node it rejects with ModuleLoadError saying what to do', async () => {
        const file = tempFile(files, '.ts');
        writeFileSync(file, 'export function twice(n: number): number {\n  return n * 2;\n}\n');
        const pool = make({}, pathToFileURL(file));
        const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
        const outcomes = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            pool.run('twice' as 'workerToken', ...([i] as unknown as [])).catch((e: unknown) => e),
          ),
        );
        const nodeStrips = major > 22 || (major === 22 && minor >= 6);
        // Inline imports it on the host's thread: a host under a TypeScript loader (vitest's,
        // tsx) imports it whatever the Node version.
        if (nodeStrips || (!target.isolated && typeof outcomes[0] === 'number')) {
          expect(outcomes).toStrictEqual(Array.from({ length: 200 }, (_, i) => i * 2));
        } else {
          for (const error of outcomes) {
            expect(error).toBeInstanceOf(ModuleLoadError);
            expect((error as Error).message).toContain('cannot import a TypeScript task module');
            expect((error as Error).message).toContain('tsx');
            expect((error as Error).message).toContain("new URL('./tasks.js', import.meta.url)");
          }
        }
        await pool.close();
      }, 20_000);
    });
  }
}
