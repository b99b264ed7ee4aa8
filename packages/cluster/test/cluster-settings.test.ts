import { execFile } from 'node:child_process';
import cluster, { type ClusterSettings } from 'node:cluster';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Executor } from '@manyhands/core';
import { fixtureUrl } from '@manyhands/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createClusterExecutor } from '../dist/index.js';

type ProcessTasks = typeof import('@manyhands/test-utils/fixtures/process-tasks');
const PROCESS_TASKS = fixtureUrl('process-tasks');

const open: Executor<unknown>[] = [];
const originalSettings = cluster.settings;

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.terminate()));
  (cluster as { settings: ClusterSettings }).settings = originalSettings;
});

function make(options: Record<string, unknown>): Executor<ProcessTasks> {
  const executor = createClusterExecutor<ProcessTasks>(PROCESS_TASKS, options);
  open.push(executor as Executor<unknown>);
  return executor;
}

describe('cluster: cluster.setupPrimary is process-global', () => {
  it('two executors in one process each fork their own workers with their own settings', async () => {
    const settings = cluster.settings;
    const a = make({ workers: 2, execArgv: ['--no-deprecation'], env: { WHO: 'a' } });
    const b = make({ workers: 2, execArgv: ['--no-warnings'], env: { WHO: 'b' } });
    const runs = Array.from({ length: 8 }, (_, i) => (i % 2 ? b : a).run('processInfo'));
    const infos = await Promise.all(runs);
    infos.forEach((info, i) => {
      expect(info.env.WHO).toBe(i % 2 ? 'b' : 'a');
      expect(info.execArgv).toStrictEqual([i % 2 ? '--no-warnings' : '--no-deprecation']);
    });
    expect(cluster.settings).toBe(settings);
  });

  it('an app that set up cluster for its own workers keeps forking its own file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manyhands-app-'));
    try {
      const appWorker = join(dir, 'app-worker.mjs');
      writeFileSync(
        appWorker,
        'process.send({ app: true, argv: process.argv.slice(2), execArgv: process.execArgv });\n' +
          'process.disconnect();\n',
      );
      cluster.setupPrimary({ exec: appWorker, args: ['--app-arg'], execArgv: ['--no-warnings'] });
      const appSettings = cluster.settings;

      const pool = make({ workers: 2 });
      const infos = await Promise.all([1, 2, 3].map(() => pool.run('processInfo')));
      for (const info of infos) expect(info.execArgv).toStrictEqual([]);
      expect(cluster.settings).toBe(appSettings);

      const appFork = cluster.fork();
      const [report] = await once(appFork, 'message');
      expect(report).toStrictEqual({ app: true, argv: ['--app-arg'], execArgv: ['--no-warnings'] });
      await once(appFork, 'exit');
      expect(await pool.run('processInfo')).toMatchObject({ execArgv: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creating an executor in a cluster worker throws a clear error', async () => {
    const script = fileURLToPath(new URL('./fixtures/executor-in-worker.mjs', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [script], { timeout: 15_000 }, (error, out) =>
        error ? reject(error) : resolve(out),
      );
    });
    const report = JSON.parse(stdout.trim()) as { threw: boolean; message: string };
    expect(report.threw).toBe(true);
    expect(report.message).toContain('must be called in the cluster primary');
  }, 20_000);
});
