/**
 * What the adapter changes about threads.js, beyond the conformance suite: each test fails
 * against threads.js's own behaviour.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixtureUrl } from '@manyhands/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createThreadsJsExecutor, type Executor } from '../dist/index.js';

/** The tasks of `./fixtures/crashes.js` (plain JS: workers import it as is). */
interface Crashes {
  currentThread(): number;
  throwLater(): number;
  rejectLater(): number;
}
const CRASHES = new URL('./fixtures/crashes.js', import.meta.url);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const open: Executor<unknown>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.terminate()));
});

/** Asks for the worker's thread id until it is not `old` (the worker was replaced). */
async function replacedWithin(pool: Executor<Crashes>, old: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await pool.run('currentThread')) !== old) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

function runScript(
  body: string,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const file = `${PACKAGE_DIR}.adapter-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`;
  writeFileSync(
    file,
    `import { createThreadsJsExecutor as create } from '@manyhands/threadsjs';\n` +
      `const pool = create(new URL(${JSON.stringify(fixtureUrl('tasks').href)}), { workers: 1 });\n${body}\n`,
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      { timeout: 15_000, cwd: PACKAGE_DIR },
      (error, stdout, stderr) => {
        rmSync(file, { force: true });
        const failed = error as { code?: number; signal?: string } | null;
        resolve({
          code: failed ? (failed.code ?? null) : 0,
          signal: failed?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('threadsjs adapter', () => {
  it('an uncaught exception ends the worker, as on every backend (threads.js keeps it alive)', async () => {
    const pool = createThreadsJsExecutor<Crashes>(CRASHES, { workers: 1 });
    open.push(pool as Executor<unknown>);
    const first = await pool.run('throwLater');
    expect(await replacedWithin(pool, first, 5_000)).toBe(true);
  });

  it('an unhandled rejection ends the worker, as on every backend (threads.js keeps it alive)', async () => {
    const pool = createThreadsJsExecutor<Crashes>(CRASHES, { workers: 1 });
    open.push(pool as Executor<unknown>);
    const first = await pool.run('rejectLater');
    expect(await replacedWithin(pool, first, 5_000)).toBe(true);
  });

  it('leaves SIGTERM to the program: threads.js would turn it into exit code 0', async () => {
    const result = await runScript(
      "await pool.run('noop');\nprocess.kill(process.pid, 'SIGTERM');\nawait new Promise((r) => setTimeout(r, 10_000));",
    );
    expect(result.stderr).toBe('');
    expect(result.signal).toBe('SIGTERM');
  }, 20_000);

  it('terminate() before a worker has started leaves no threads.js timer holding the process', async () => {
    const result = await runScript(
      [
        "pool.run('noop').catch(() => {});",
        'await new Promise((r) => setImmediate(r));',
        "if (pool.stats().workers !== 1) throw new Error('no worker was starting');",
        'await pool.terminate();',
        'await new Promise((r) => setImmediate(r));',
        "console.log(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length);",
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('0');
    expect(result.code).toBe(0);
  }, 20_000);
});
