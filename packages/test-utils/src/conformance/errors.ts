/** Conformance: errors — classes, causes, unknown tasks, modules that fail to load, non-cloneable values, retries. */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModuleLoadError, NotCloneableError, UnknownTaskError } from '@manyhands/core';
import { describe, expect, it } from 'vitest';
import { fixtureUrl, missingModuleUrl } from '../fixture-urls.js';
import type { SuiteContext } from './context.js';

/** Registers the errors cases. */
export function errorCases({ target, make }: SuiteContext): void {
  describe(`${target.name}: errors`, () => {
    it('a sync throw arrives with its class, message and stack', async () => {
      const pool = make();
      const error = (await pool.run('throwError', 'boom').catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe('boom');
      expect(error.stack).toContain('throwError');
    });

    it('an async rejection keeps its built-in class', async () => {
      const pool = make();
      await expect(pool.run('rejectError', 'bad type')).rejects.toThrow(TypeError);
      await expect(pool.run('rejectError', 'bad type')).rejects.toThrow('bad type');
    });

    it('a custom Error subclass keeps its name, code, own properties and cause chain', async () => {
      const pool = make();
      const error = (await pool.run('throwCustom', 'email').catch((e: unknown) => e)) as Error & {
        code: string;
        field: string;
      };
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ValidationError');
      expect(error.constructor.name).toBe('ValidationError');
      expect(error.message).toBe('invalid field email');
      expect(error.code).toBe('E_VALIDATION');
      expect(error.field).toBe('email');
      expect(error.stack).toContain('throwCustom');
      const cause = error.cause as Error;
      expect(cause).toBeInstanceOf(RangeError);
      expect(cause.message).toBe('out of range');
      expect((cause.cause as Error).message).toBe('root cause');
    });

    it('a thrown non-Error value arrives as that value', async () => {
      const pool = make();
      await expect(pool.run('throwValue', 42)).rejects.toBe(42);
      await expect(pool.run('throwValue', { reason: 'plain object' })).rejects.toStrictEqual({
        reason: 'plain object',
      });
      await expect(pool.run('throwValue', undefined)).rejects.toBeUndefined();
    });

    it('an unknown task name rejects with UnknownTaskError naming the available tasks', async () => {
      const pool = make();
      const first = (await pool.run('nope' as 'noop').catch((e: unknown) => e)) as UnknownTaskError;
      expect(first).toBeInstanceOf(UnknownTaskError);
      expect(first.code).toBe('ERR_MANYHANDS_UNKNOWN_TASK');
      expect(first.available).toContain('echo');
      // Once the module is known, the check happens without a round trip.
      await expect(pool.run('nope' as 'noop')).rejects.toBeInstanceOf(UnknownTaskError);
      await expect(pool.map('nope' as 'square', [1])).rejects.toBeInstanceOf(UnknownTaskError);
      expect(await pool.run('echo', 1)).toBe(1);
    });

    it('a module that throws on load rejects with ModuleLoadError naming the file and the reason', async () => {
      const pool = make({}, fixtureUrl('throws-on-load'));
      const error = (await pool
        .run('neverReached' as 'noop')
        .catch((e: unknown) => e)) as ModuleLoadError;
      expect(error).toBeInstanceOf(ModuleLoadError);
      expect(error.message).toContain('throws-on-load');
      expect(error.message).toContain('this module refuses to load');
      // Still answers (with the same error), does not hang.
      await expect(pool.run('neverReached' as 'noop')).rejects.toBeInstanceOf(ModuleLoadError);
    });

    it('a missing module rejects with ModuleLoadError naming the file', async () => {
      const pool = make({}, missingModuleUrl());
      const error = (await pool.run('x' as 'noop').catch((e: unknown) => e)) as ModuleLoadError;
      expect(error).toBeInstanceOf(ModuleLoadError);
      expect(error.message).toContain('does-not-exist');
    });

    it('a non-cloneable argument rejects that call only, with the path', async () => {
      const pool = make();
      const others = [pool.run('echo', 1), pool.run('echo', 2)];
      const bad = pool.run('echo', { nested: { fn: () => 1 } } as unknown as number);
      const error = (await bad.catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('args[0].nested.fn');
      expect(await Promise.all(others)).toStrictEqual([1, 2]);
      await expect(pool.map('echo', [1, Symbol('s')])).rejects.toBeInstanceOf(NotCloneableError);
      expect(await pool.run('echo', 3)).toBe(3);
    });

    it('retries are opt-in per call: a throwing task runs again only when asked', async () => {
      const pool = make();
      const files: string[] = [];
      const flaky = (failures: number) => {
        const path = join(
          tmpdir(),
          `mh-retries-${process.pid}-${Math.random().toString(36).slice(2)}`,
        );
        files.push(path);
        return { path, failures };
      };
      const calls = (spec: { path: string }) => readFileSync(spec.path, 'utf8').length;
      try {
        const once = flaky(1);
        await expect(pool.run('flakyByFile', once)).rejects.toThrow('attempt 1 failed');
        expect(calls(once)).toBe(1);
        const twice = flaky(2);
        expect(await pool.exec('flakyByFile', [twice], { retries: 2 })).toBe(twice.path);
        expect(calls(twice)).toBe(3);
        const exhausted = flaky(5);
        const error = await pool
          .exec('flakyByFile', [exhausted], { retries: 1 })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RangeError);
        expect((error as Error).message).toBe('attempt 2 failed');
        expect(calls(exhausted)).toBe(2);
        // A map's failing chunk runs again, whole.
        const items = [flaky(0), flaky(1), flaky(0)];
        await expect(pool.map('flakyByFile', items, { chunkSize: 3 })).rejects.toThrow(
          'attempt 1 failed',
        );
        const again = [flaky(0), flaky(1), flaky(0)];
        expect(await pool.map('flakyByFile', again, { chunkSize: 3, retries: 1 })).toStrictEqual(
          again.map((spec) => spec.path),
        );
        // manyhands' own errors are never retried; bad values are refused.
        await expect(pool.exec('nope' as 'noop', [], { retries: 3 })).rejects.toBeInstanceOf(
          UnknownTaskError,
        );
        await expect(pool.exec('noop', [], { retries: -1 })).rejects.toThrow(RangeError);
        await expect(pool.map('square', [1], { retries: 1.5 })).rejects.toThrow(RangeError);
      } finally {
        for (const file of files) rmSync(file, { force: true });
      }
    });

    it('a non-cloneable result rejects that call only, with the path', async () => {
      const pool = make();
      const error = (await pool
        .run('returnFunction')
        .catch((e: unknown) => e)) as NotCloneableError;
      expect(error).toBeInstanceOf(NotCloneableError);
      expect(error.path).toBe('result.callback');
      expect(await pool.run('echo', 'fine')).toBe('fine');
    });
  });
}
