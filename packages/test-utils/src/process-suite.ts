/**
 * The process backends' own suite (child_process, cluster), on top of the conformance suite:
 * their options reach the worker processes, output goes where `stdio` says, and no process is
 * left behind — no zombie after `close()`/`terminate()`, no orphan when the host dies, and a
 * worker killed from outside fails exactly the task it was running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Executor, WorkerExitError, WorkerStartError, workerIdsOf } from '@manyhands/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { FixtureTasks } from './conformance/context.js';
import { fixtureUrl } from './fixture-urls.js';
import type * as ProcessTasks from './fixtures/process-tasks.js';
import { countChildProcesses, countZombieChildren } from './os-probes.js';
import { waitFor } from './wait-for.js';

/** How the suite drives one process backend. */
export interface ProcessBackendTarget {
  /** Backend name, used in test titles. */
  readonly name: string;
  /** Creates an executor of this backend. */
  create<M>(module: URL | string, options?: Record<string, unknown>): Executor<M>;
  /** The package to import in host scripts, its factory's name, and a folder it resolves from. */
  readonly script: {
    readonly packageName: string;
    readonly factory: string;
    readonly dir: string;
  };
}

const TASKS = fixtureUrl('tasks');
const PROCESS_TASKS = fixtureUrl('process-tasks');

/** Whether a process is running (neither gone nor a zombie waiting for its new parent). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

interface HostScript {
  readonly child: ChildProcess;
  /** Resolves with the first line the script prints. */
  readonly firstLine: Promise<string>;
  /** Resolves when the script itself has exited (its workers may still hold its stdout). */
  readonly exited: Promise<void>;
  /** Resolves when the script has exited and its stdout has closed. */
  readonly done: Promise<{ code: number | null; signal: string | null; stdout: string }>;
}

/**
 * Runs `body` in a fresh Node process (the host) after
 * `const pool = create(module, options)`, with `execArgv` as the host's own flags.
 */
function startHostScript(
  target: ProcessBackendTarget,
  body: string,
  { options = {}, execArgv = [] }: { options?: object; execArgv?: string[] } = {},
): HostScript {
  const file = join(
    target.script.dir,
    `.process-suite-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`,
  );
  writeFileSync(
    file,
    `import { ${target.script.factory} as create } from '${target.script.packageName}';\n` +
      `import { workerIdsOf } from '@manyhands/core';\n` +
      `const pool = create(new URL(${JSON.stringify(TASKS.href)}), ${JSON.stringify(options)});\n` +
      `${body}\n`,
  );
  const child = spawn(process.execPath, [...execArgv, file], {
    cwd: target.script.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep a crashing host's report out of the test output; it is not what is checked here.
  child.stderr?.resume();
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      // Not on 'close': workers that outlived the host would hold its stdout open.
      rmSync(file, { force: true });
      resolve();
    }),
  );
  let stdout = '';
  let resolveLine: (line: string) => void = () => {};
  const firstLine = new Promise<string>((resolve) => {
    resolveLine = resolve;
  });
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    stdout += text;
    const end = stdout.indexOf('\n');
    if (end >= 0) resolveLine(stdout.slice(0, end));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string }>(
    (resolve) => {
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolveLine(stdout);
        resolve({ code, signal, stdout });
      });
    },
  );
  return { child, firstLine, exited, done };
}

/** Runs the process backends' suite against one backend. */
export function runProcessBackendSuite(target: ProcessBackendTarget): void {
  const open: Executor<unknown>[] = [];
  const make = <M = FixtureTasks>(options: Record<string, unknown> = {}, module: URL = TASKS) => {
    const executor = target.create<M>(module, { workers: 1, ...options });
    open.push(executor as Executor<unknown>);
    return executor;
  };
  const info = (options: Record<string, unknown> = {}) =>
    make<typeof ProcessTasks>(options, PROCESS_TASKS).run('processInfo');

  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.terminate()));
  });

  describe(`${target.name}: process options`, () => {
    it('does not pass the host’s execArgv on: workers get [] unless told', async () => {
      expect((await info()).execArgv).toStrictEqual([]);
      expect((await info({ execArgv: ['--no-deprecation'] })).execArgv).toStrictEqual([
        '--no-deprecation',
      ]);
      const host = startHostScript(
        target,
        `const info = await create(new URL(${JSON.stringify(PROCESS_TASKS.href)}), { workers: 1 }).run('processInfo');\n` +
          'console.log(JSON.stringify({ host: process.execArgv, worker: info.execArgv }));\n' +
          'await pool.close(); process.exit(0);',
        { execArgv: ['--no-deprecation', '--stack-size=2000'] },
      );
      const result = await host.done;
      expect(JSON.parse(result.stdout.trim())).toStrictEqual({
        host: ['--no-deprecation', '--stack-size=2000'],
        worker: [],
      });
    }, 20_000);

    it('maxOldGenerationSizeMb sets the worker’s heap limit', async () => {
      const worker = await info({ maxOldGenerationSizeMb: 48, execArgv: ['--no-warnings'] });
      expect(worker.execArgv).toStrictEqual(['--no-warnings', '--max-old-space-size=48']);
      const pool = make<typeof ProcessTasks>({ maxOldGenerationSizeMb: 48 }, PROCESS_TASKS);
      const limit = await pool.run('heapLimitMb');
      expect(limit).toBeGreaterThanOrEqual(48);
      expect(limit).toBeLessThan(200);
    });

    it('env is the workers’ whole environment; by default they get the host’s', async () => {
      process.env.MANYHANDS_SUITE_HOST_ONLY = 'host';
      try {
        const inherited = await info();
        expect(inherited.env.MANYHANDS_SUITE_HOST_ONLY).toBe('host');
        expect(Object.keys(inherited.env)).not.toContain('MANYHANDS_WORKER_INIT');
        const own = await info({ env: { ONLY_IN_OPTIONS: 'yes', PATH: process.env.PATH } });
        expect(own.env.ONLY_IN_OPTIONS).toBe('yes');
        expect(own.env.PATH).toBe(process.env.PATH);
        expect(own.env.MANYHANDS_SUITE_HOST_ONLY).toBeUndefined();
        expect(Object.keys(own.env)).not.toContain('MANYHANDS_WORKER_INIT');
      } finally {
        delete process.env.MANYHANDS_SUITE_HOST_ONLY;
      }
    });

    it('cwd sets the workers’ working directory (path or file: URL)', async () => {
      const dir = realpathSync(tmpdir());
      expect((await info({ cwd: dir })).cwd).toBe(dir);
      expect((await info({ cwd: pathToFileURL(dir) })).cwd).toBe(dir);
    });

    it('a working directory that does not exist rejects with WorkerStartError', async () => {
      const pool = make({ cwd: join(tmpdir(), 'manyhands-no-such-dir') });
      await expect(pool.run('echo', 1)).rejects.toBeInstanceOf(WorkerStartError);
      await expect(pool.run('echo', 1)).rejects.toBeInstanceOf(WorkerStartError);
    });

    it('rejects invalid process options at construction', () => {
      const bad: [Record<string, unknown>, typeof TypeError | typeof RangeError][] = [
        [{ execArgv: '--inspect' }, TypeError],
        [{ execArgv: [1] }, TypeError],
        [{ env: 'A=1' }, TypeError],
        [{ env: { A: 1 } }, TypeError],
        [{ cwd: 5 }, TypeError],
        [{ cwd: '' }, RangeError],
        [{ stdio: 'pipe' }, RangeError],
        [{ stdio: 1 }, TypeError],
        [{ maxOldGenerationSizeMb: '64' }, TypeError],
        [{ maxOldGenerationSizeMb: 0 }, RangeError],
        [{ maxOldGenerationSizeMb: 1.5 }, RangeError],
      ];
      for (const [options, type] of bad) {
        expect(() => target.create(TASKS, options), JSON.stringify(options)).toThrow(type);
      }
      expect(() => target.create(TASKS, { resourceLimits: {} })).toThrow(
        /Unknown option "resourceLimits"/,
      );
    });
  });

  describe(`${target.name}: worker output`, () => {
    it("stdio 'forward' copies output through process.stdout/stderr, all of it before close() resolves", async () => {
      const seen = { stdout: '', stderr: '' };
      const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
      for (const name of ['stdout', 'stderr'] as const) {
        process[name].write = ((chunk: string | Uint8Array) => {
          seen[name] += String(chunk);
          return true;
        }) as typeof process.stdout.write;
      }
      try {
        const pool = make<typeof ProcessTasks>({ stdio: 'forward' }, PROCESS_TASKS);
        await pool.run('writeLines', 'stdout', 'forwarded-out', 2000);
        await pool.run('writeLines', 'stderr', 'forwarded-err', 10);
        await pool.close();
      } finally {
        process.stdout.write = originals.stdout;
        process.stderr.write = originals.stderr;
      }
      expect(seen.stdout.split('\n').filter((l) => l === 'forwarded-out')).toHaveLength(2000);
      expect(seen.stderr.split('\n').filter((l) => l === 'forwarded-err')).toHaveLength(10);
    });

    it("stdio 'inherit' (default) writes to the host's stdout, all of it before the host exits", async () => {
      const host = startHostScript(
        target,
        `const out = create(new URL(${JSON.stringify(PROCESS_TASKS.href)}), { workers: 1 });\n` +
          "await out.run('writeLines', 'stdout', 'inherited', 5000);\n" +
          "await out.close(); await pool.close(); console.log('host done');",
      );
      const { code, stdout } = await host.done;
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines.filter((l) => l === 'inherited')).toHaveLength(5000);
      expect(lines.at(-1)).toBe('host done');
    }, 20_000);

    it("stdio 'ignore' discards worker output", async () => {
      const host = startHostScript(
        target,
        `const out = create(new URL(${JSON.stringify(PROCESS_TASKS.href)}), { workers: 1, stdio: 'ignore' });\n` +
          "await out.run('writeLines', 'stdout', 'dropped', 10);\n" +
          "await out.close(); await pool.close(); console.log('host done');",
      );
      const { code, stdout } = await host.done;
      expect(code).toBe(0);
      expect(stdout).toBe('host done\n');
    }, 20_000);
  });

  describe(`${target.name}: the data channel`, () => {
    it('megabyte typed arrays cross both ways intact, with their types', async () => {
      const pool = make({ workers: 2 });
      const floats = new Float64Array(131_072).map((_, i) => i / 7);
      const bytes = new Uint8Array(3 * 2 ** 20).map((_, i) => i % 251);
      const echoed = await Promise.all(
        Array.from({ length: 6 }, (_, i) => pool.run('echo', i % 2 ? floats : bytes)),
      );
      echoed.forEach((result, i) => {
        const value = result as Float64Array | Uint8Array;
        const sent = i % 2 ? floats : bytes;
        expect(value.constructor).toBe(sent.constructor);
        const got = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        expect(Buffer.compare(got, Buffer.from(sent.buffer))).toBe(0);
      });
    }, 20_000);

    it('a worker exit is reported even while a grandchild holds the channel open', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'manyhands-grandchild-'));
      const pidFile = join(dir, 'pid');
      try {
        const pool = make<typeof ProcessTasks>({}, PROCESS_TASKS);
        await expect(pool.run('exitLeavingGrandchild', pidFile, 5)).rejects.toBeInstanceOf(
          WorkerExitError,
        );
        expect(await pool.run('heapLimitMb')).toBeGreaterThan(0);
      } finally {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        } catch {
          // Never started, or gone already.
        }
        rmSync(dir, { recursive: true, force: true });
      }
    }, 20_000);
  });

  describe(`${target.name}: no process left behind`, () => {
    it('a worker SIGKILLed from outside fails exactly its in-flight task; the rest finish', async () => {
      const pool = make({ workers: 2 });
      await Promise.all([pool.run('echo', 1), pool.run('echo', 2)]);
      const pids = workerIdsOf(pool as Executor<unknown>);
      expect(pids).toHaveLength(2);
      // Sync tasks hold their worker: each worker runs exactly one at a time.
      const tasks = Array.from({ length: 6 }, (_, i) => pool.run('spin', 200).then(() => i));
      expect(await waitFor(() => pool.stats().running === 2, 5_000)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const victim = pids[0] as number;
      process.kill(victim, 'SIGKILL');
      const outcomes = await Promise.allSettled(tasks);
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      expect(rejected).toHaveLength(1);
      const error = (rejected[0] as PromiseRejectedResult).reason as WorkerExitError;
      expect(error).toBeInstanceOf(WorkerExitError);
      expect(error.signal).toBe('SIGKILL');
      expect(error.message).toContain('SIGKILL');
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
      expect(await pool.run('echo', 'after')).toBe('after');
      expect(workerIdsOf(pool as Executor<unknown>)).not.toContain(victim);
      expect(isRunning(victim)).toBe(false);
    }, 20_000);

    it('close() right after start stops workers politely, even before they are ready', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'manyhands-exit-'));
      try {
        const pool = make({
          workers: 2,
          execArgv: ['--import', fixtureUrl('exit-marker').href],
          env: { ...process.env, MANYHANDS_EXIT_MARKERS: dir },
        });
        const controller = new AbortController();
        const jobs = [1, 2].map(() => pool.exec('noop', [], { signal: controller.signal }));
        // Let the scheduler start both workers, then take the work away again.
        await new Promise((resolve) => setImmediate(resolve));
        const pids = workerIdsOf(pool as Executor<unknown>);
        expect(pids).toHaveLength(2);
        controller.abort();
        await Promise.allSettled(jobs);
        await pool.close();
        // A worker killed after the stop grace period would have left no marker.
        for (const pid of pids) expect(readFileSync(join(dir, String(pid)), 'utf8')).toBe('0');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 20_000);

    it('leaves no zombie and no child after close() or terminate()', async () => {
      const before = countChildProcesses();
      const a = make({ workers: 2 });
      await a.map(
        'square',
        Array.from({ length: 1000 }, (_, i) => i),
      );
      await a.close();
      expect(countZombieChildren()).toBe(0);
      expect(countChildProcesses()).toBe(before);
      const b = make({ workers: 2 });
      b.run('hang').catch(() => {});
      b.run('infiniteLoop').catch(() => {});
      await b.run('echo', 1);
      await b.terminate();
      expect(countZombieChildren()).toBe(0);
      expect(countChildProcesses()).toBe(before);
    }, 20_000);

    for (const death of ['SIGKILL', 'an uncaught exception'] as const) {
      it(`workers exit by themselves when the host dies (${death}): idle, awaiting IO, or stuck in a loop`, async () => {
        const host = startHostScript(
          target,
          "await Promise.all([1, 2, 3].map((i) => pool.run('echo', i)));\n" +
            "pool.run('infiniteLoop').catch(() => {});\n" +
            "pool.run('hang').catch(() => {});\n" +
            'await new Promise((resolve) => setTimeout(resolve, 300));\n' +
            'console.log(JSON.stringify(workerIdsOf(pool)));\n' +
            (death === 'SIGKILL'
              ? 'setInterval(() => {}, 1000);'
              : "setTimeout(() => { throw new Error('the host crashed'); }, 100);"),
          // With flags on one run: the watchdog thread must start under them too.
          {
            options:
              death === 'SIGKILL'
                ? { workers: 3, execArgv: ['--no-warnings'], maxOldGenerationSizeMb: 64 }
                : { workers: 3 },
          },
        );
        const pids = JSON.parse(await host.firstLine) as number[];
        expect(pids).toHaveLength(3);
        expect(pids.every(isRunning)).toBe(true);
        if (death === 'SIGKILL') host.child.kill('SIGKILL');
        await host.exited;
        expect(await waitFor(() => !pids.some(isRunning), 10_000)).toBe(true);
      }, 30_000);
    }
  });
}
