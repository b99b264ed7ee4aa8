/** Conformance: options, lifecycle and stats — validation, queue bounds, close, terminate, leaks, scripts that exit. */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutorClosedError, ExecutorTerminatedError, QueueFullError } from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import { type FixtureTasks, type SuiteContext, settleAll, TASKS } from './context.js';

/** Registers the lifecycle cases. */
export function optionsAndLifecycleCases({ target, ownsWorkers, make }: SuiteContext): void {
  describe(`${target.name}: options, lifecycle and stats`, () => {
    it('rejects invalid options at construction', () => {
      expect(() => target.create(TASKS, { workers: 0 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { workers: 1.5 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { workers: 'two' })).toThrow(TypeError);
      expect(() => target.create(TASKS, { concurrency: -1 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { maxQueue: -1 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { idleTimeout: Number.NaN })).toThrow(TypeError);
      expect(() => target.create(TASKS, { recycleAfter: 0 })).toThrow(RangeError);
      expect(() => target.create(TASKS, { wrokers: 2 })).toThrow(/Unknown option "wrokers"/);
      expect(() => target.create(42 as unknown as string)).toThrow(TypeError);
    });

    it('rejects invalid call options', async () => {
      const pool = make();
      await expect(pool.exec('echo', [1], { timeout: 0 })).rejects.toThrow(RangeError);
      await expect(
        pool.exec('echo', [1], { signal: 'no' as unknown as AbortSignal }),
      ).rejects.toThrow(TypeError);
    });

    it('maxQueue bounds the queue with QueueFullError', async () => {
      const pool = make({ workers: 1, maxQueue: 2 });
      const a = pool.run('sleep', 50, 'a');
      const b = pool.run('sleep', 50, 'b');
      const c = pool.run('sleep', 50, 'c');
      await expect(c).rejects.toBeInstanceOf(QueueFullError);
      expect(await Promise.all([a, b])).toStrictEqual(['a', 'b']);
    });

    if (ownsWorkers) {
      // Inline "workers" share the caller's module instance: ES modules cannot be unloaded.
      it('recycleAfter replaces a worker after that many tasks', async () => {
        const pool = make({ workers: 1, recycleAfter: 3 });
        const counts: number[] = [];
        for (let i = 0; i < 7; i++) counts.push(await pool.run('countCalls'));
        expect(counts).toStrictEqual([1, 2, 3, 1, 2, 3, 1]);
      });
    }

    it('close() lets queued and running work finish, then run() rejects', async () => {
      const pool = make({ workers: 1 });
      const pending = Array.from({ length: 5 }, (_, i) => pool.run('sleep', 20, i));
      const mapping = pool.map('square', [1, 2, 3]);
      await pool.close();
      expect(await Promise.all(pending)).toStrictEqual([0, 1, 2, 3, 4]);
      expect(await mapping).toStrictEqual([1, 4, 9]);
      await expect(pool.run('echo', 1)).rejects.toBeInstanceOf(ExecutorClosedError);
      await expect(pool.map('square', [1])).rejects.toBeInstanceOf(ExecutorClosedError);
      await pool.close();
    });

    it('terminate() rejects everything pending at once', async () => {
      const pool = make({ workers: 1 });
      const pending = [pool.run('hang'), pool.run('sleep', 10_000), pool.run('echo', 1)];
      const mapping = pool.map('sleep', [10_000, 10_000]);
      const outcomes = settleAll<unknown>([...pending, mapping]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pool.terminate();
      for (const result of await outcomes) {
        if (result.status === 'fulfilled') expect(result.value).toBe(1);
        else expect(result.reason).toBeInstanceOf(ExecutorTerminatedError);
      }
      await expect(pool.run('echo', 1)).rejects.toBeInstanceOf(ExecutorClosedError);
    });

    it('supports `await using`', async () => {
      let seen: number | undefined;
      {
        await using pool = target.create<FixtureTasks>(TASKS, { workers: 1 });
        seen = await pool.run('square', 9);
      }
      expect(seen).toBe(81);
    });

    it('reports stats', async () => {
      const pool = make();
      await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run('spin', 1 + (i % 3))));
      await pool.run('throwError', 'x').catch(() => {});
      await pool.map(
        'square',
        Array.from({ length: 1000 }, (_, i) => i),
      );
      const stats = pool.stats();
      expect(stats.completed).toBe(1020);
      expect(stats.failed).toBe(1);
      expect(stats.queued).toBe(0);
      expect(stats.running).toBe(0);
      expect(stats.workers).toBeGreaterThanOrEqual(1);
      expect(stats.runTime.p99).toBeGreaterThanOrEqual(stats.runTime.p50);
      expect(stats.runTime.max).toBeGreaterThan(0);
      expect(stats.waitTime.p50).toBeGreaterThanOrEqual(0);
      expect(stats.utilization).toBeGreaterThan(0);
      expect(stats.utilization).toBeLessThanOrEqual(1);
    });

    it('leaves no worker behind after close() or terminate()', async () => {
      const before = target.liveWorkers();
      const a = make();
      await a.map(
        'square',
        Array.from({ length: 1000 }, (_, i) => i),
      );
      await Promise.all(Array.from({ length: 10 }, () => a.run('noop')));
      expect(target.liveWorkers()).toBeGreaterThanOrEqual(before);
      await a.close();
      const b = make();
      b.run('hang').catch(() => {});
      await b.run('echo', 1);
      await b.terminate();
      expect(await waitFor(() => target.liveWorkers() <= before, 5_000)).toBe(true);
    }, 20_000);

    if (target.script) {
      const script = target.script;
      const runScript = (
        body: string,
      ): Promise<{ code: number | null; stdout: string; stderr: string }> => {
        const file = join(
          script.dir,
          `.conformance-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`,
        );
        writeFileSync(
          file,
          `import { ${script.factory} as create } from '${script.packageName}';\n` +
            `const pool = create(new URL(${JSON.stringify(TASKS.href)}), { workers: 2 });\n${body}\n`,
        );
        return new Promise((resolve) => {
          execFile(
            process.execPath,
            [file],
            { timeout: 15_000, cwd: script.dir },
            (error, stdout, stderr) => {
              rmSync(file, { force: true });
              resolve({
                code: error ? ((error as { code?: number }).code ?? null) : 0,
                stdout,
                stderr,
              });
            },
          );
        });
      };

      it('a script that closes its executor exits by itself', async () => {
        const result = await runScript(
          "const r = await pool.map('square', [1, 2, 3]);\nawait pool.close();\nconsole.log(r.join(','));",
        );
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe('1,4,9');
        expect(result.code).toBe(0);
      }, 20_000);

      it('a script that forgets close() still exits: idle workers do not hold the process', async () => {
        const result = await runScript("console.log(await pool.run('square', 4));");
        expect(result.stdout.trim()).toBe('16');
        expect(result.code).toBe(0);
      }, 20_000);
    }
  });
}
