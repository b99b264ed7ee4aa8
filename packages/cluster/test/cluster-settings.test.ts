import { execFile } from 'node:child_process';
import cluster, { type ClusterSettings } from 'node:cluster';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Executor, workerIdsOf } from '@manyhands/core';
import { fixtureUrl } from '@manyhands/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createClusterExecutor, isExecutorWorker } from '../dist/index.js';

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

describe('cluster: what cluster adds', () => {
  it('workers share a listening port: connections reach every worker', async () => {
    const pool = createClusterExecutor<{
      ping(): number;
      listen(port: number): Promise<[pid: number, port: number]>;
    }>(new URL('./fixtures/server-tasks.mjs', import.meta.url), { workers: 2 });
    open.push(pool as Executor<unknown>);
    // Until both workers are ready and answering (a pair of quick calls then goes one to each).
    const ready = new Set<number>();
    for (let i = 0; i < 500 && ready.size < 2; i++) {
      for (const pid of await Promise.all([pool.run('ping'), pool.run('ping')])) ready.add(pid);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ready.size).toBe(2);
    const listening = await Promise.all([pool.run('listen', 0), pool.run('listen', 0)]);
    expect(new Set(listening.map(([pid]) => pid)).size).toBe(2);
    const ports = listening.map(([, port]) => port);
    expect(ports[0]).toBe(ports[1]);
    const answered = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const socket = connect(ports[0] as number, '127.0.0.1');
      socket.setEncoding('utf8');
      let text = '';
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      await once(socket, 'end');
      answered.add(text);
    }
    expect([...answered].map(Number).sort()).toStrictEqual(
      workerIdsOf(pool as Executor<unknown>).sort(),
    );
  }, 20_000);
});

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
      const ours = Object.values(cluster.workers ?? {}).filter((w) => w && isExecutorWorker(w));
      expect(ours.map((w) => w?.process.pid).sort()).toStrictEqual(
        workerIdsOf(pool as Executor<unknown>).sort(),
      );
      expect(isExecutorWorker(appFork)).toBe(false);
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
