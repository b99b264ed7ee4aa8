/**
 * Measures the foundation's speed targets, each case in a fresh process (so peak RSS is the
 * case's own): the article's workload (inline loop, inline backend, worker_threads `map`),
 * sequential round trip, a burst of concurrent no-op calls, and the IO-bound case.
 *
 *   node dist/targets.js [--n 1000000] [--workers 2] [--case NAME]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Executor } from '@manyhands/core';
import { createInlineExecutor } from '@manyhands/inline';
import { createWorkerThreadsExecutor } from '@manyhands/worker-threads';
import { checksum } from './checksum.js';
import { articleInputs } from './inputs.js';
import { factorial } from './tasks.js';

type Tasks = typeof import('./tasks.js');
const TASKS = new URL('./tasks.js', import.meta.url);

interface CaseResult {
  readonly case: string;
  readonly seconds: number;
  readonly perTaskUs?: number;
  readonly checksum?: string;
  readonly peakRssMb: number;
}

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const n = Number(arg('n', '1000000'));
const workers = Number(arg('workers', '2'));

function make(backend: 'inline' | 'wt'): Executor<Tasks> {
  return backend === 'inline'
    ? createInlineExecutor<Tasks>(TASKS)
    : createWorkerThreadsExecutor<Tasks>(TASKS, { workers });
}

async function warm(pool: Executor<Tasks>): Promise<void> {
  await Promise.all(Array.from({ length: workers * 4 }, () => pool.run('noop')));
  await pool.map('factorial', articleInputs(20_000, 1));
}

const cases: Record<string, () => Promise<Omit<CaseResult, 'case' | 'peakRssMb'>>> = {
  async 'inline loop'() {
    const inputs = articleInputs(n);
    const t0 = performance.now();
    const results = new Array<bigint>(inputs.length);
    for (let i = 0; i < inputs.length; i++) results[i] = factorial(inputs[i] as number);
    return { seconds: (performance.now() - t0) / 1000, checksum: checksum(results) };
  },
  async 'raw threads, no pool (ceiling)'() {
    // The hardware's own limit: each thread computes a contiguous share and returns it in one
    // message; no scheduling, chunking or per-chunk messages at all.
    const inputs = articleInputs(n);
    const share = Math.ceil(inputs.length / workers);
    const source = `const { parentPort, workerData } = require('node:worker_threads');
      const factorial = (n) => (n <= 1 ? 1n : BigInt(n) * factorial(n - 1));
      parentPort.postMessage(workerData.map(factorial));`;
    const slices = Array.from({ length: workers }, (_, w) =>
      inputs.slice(w * share, (w + 1) * share),
    );
    const t0 = performance.now();
    const parts = await Promise.all(
      slices.map(
        (slice) =>
          new Promise<bigint[]>((resolve, reject) => {
            const thread = new Worker(source, { eval: true, workerData: slice });
            thread.once('message', (part: bigint[]) => {
              resolve(part);
              void thread.terminate();
            });
            thread.once('error', reject);
          }),
      ),
    );
    const results = parts.flat();
    return { seconds: (performance.now() - t0) / 1000, checksum: checksum(results) };
  },
  async 'inline map'() {
    return mapCase(make('inline'));
  },
  async 'worker-threads map'() {
    return mapCase(make('wt'));
  },
  async 'inline sequential run'() {
    return sequential(make('inline'));
  },
  async 'worker-threads sequential run'() {
    return sequential(make('wt'));
  },
  async 'inline burst 200k run'() {
    return burst(make('inline'));
  },
  async 'worker-threads burst 200k run'() {
    return burst(make('wt'));
  },
  async 'inline IO 2000 x 10ms'() {
    return io(make('inline'));
  },
  async 'worker-threads IO 2000 x 10ms'() {
    return io(make('wt'));
  },
};

async function mapCase(pool: Executor<Tasks>) {
  const inputs = articleInputs(n);
  await warm(pool);
  const t0 = performance.now();
  const results = await pool.map('factorial', inputs);
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return { seconds, checksum: checksum(results) };
}

async function sequential(pool: Executor<Tasks>) {
  await warm(pool);
  const count = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await pool.run('noop');
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return { seconds, perTaskUs: (seconds * 1e6) / count };
}

async function burst(pool: Executor<Tasks>) {
  await warm(pool);
  const count = 200_000;
  const t0 = performance.now();
  const calls = new Array<Promise<void>>(count);
  for (let i = 0; i < count; i++) calls[i] = pool.run('noop');
  await Promise.all(calls);
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return { seconds, perTaskUs: (seconds * 1e6) / count };
}

async function io(pool: Executor<Tasks>) {
  await warm(pool);
  await Promise.all(Array.from({ length: 100 }, (_, i) => pool.run('factorialAfterTimer', i % 99)));
  const inputs = articleInputs(2000);
  const t0 = performance.now();
  const results = await Promise.all(inputs.map((i) => pool.run('factorialAfterTimer', i)));
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return { seconds, checksum: checksum(results) };
}

async function runOne(name: string): Promise<void> {
  const run = cases[name];
  if (!run) throw new Error(`unknown case ${name}`);
  const result = await run();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ case: name, ...result, peakRssMb })}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const rounds = Number(arg('rounds', '3'));
  const samples = new Map<string, CaseResult[]>();
  console.log(
    `manyhands foundation targets: n=${n}, workers=${workers}, rounds=${rounds} (median shown), node ${process.version}`,
  );
  // Rounds interleave the cases, so a noisy minute on the shared machine hits all of them.
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(cases)) {
      const out = execFileSync(
        process.execPath,
        [self, '--case', name, '--n', String(n), '--workers', String(workers)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const row = JSON.parse(out.trim().split('\n').pop() as string) as CaseResult;
      samples.set(name, [...(samples.get(name) ?? []), row]);
      process.stderr.write(`round ${round + 1}/${rounds} ${name}: ${row.seconds.toFixed(3)} s\n`);
    }
  }
  const rows = Object.keys(cases).map((name): CaseResult => {
    const runs = samples.get(name) as CaseResult[];
    const seconds = median(runs.map((r) => r.seconds));
    const perTask =
      runs[0]?.perTaskUs === undefined ? undefined : median(runs.map((r) => r.perTaskUs as number));
    return {
      case: name,
      seconds,
      ...(perTask === undefined ? {} : { perTaskUs: perTask }),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      ...(runs[0]?.checksum === undefined ? {} : { checksum: runs[0].checksum }),
    };
  });
  for (const row of rows) {
    const runs = samples.get(row.case) as CaseResult[];
    if (runs.some((r) => r.checksum !== row.checksum)) {
      console.error(`CHECKSUM MISMATCH between rounds of ${row.case}`);
      process.exitCode = 1;
    }
    console.log(
      `${row.case.padEnd(32)} ${row.seconds.toFixed(3).padStart(8)} s` +
        `${row.perTaskUs !== undefined ? `  ${row.perTaskUs.toFixed(2).padStart(8)} µs/task` : ''.padEnd(18)}` +
        `  peak RSS ${row.peakRssMb.toFixed(0).padStart(5)} MB${row.checksum ? `  checksum ${row.checksum}` : ''}`,
    );
  }
  const by = (name: string) => rows.find((r) => r.case === name) as CaseResult;
  const loop = by('inline loop');
  for (const row of [
    by('inline map'),
    by('worker-threads map'),
    by('raw threads, no pool (ceiling)'),
  ]) {
    if (row.checksum !== loop.checksum) {
      console.error(`CHECKSUM MISMATCH: ${row.case} ${row.checksum} != ${loop.checksum}`);
      process.exitCode = 1;
    }
  }
  const ratio = (a: string, b: string) => (by(a).seconds / by(b).seconds).toFixed(2);
  console.log(
    `\nworker-threads map vs inline map:  ${ratio('inline map', 'worker-threads map')}x faster`,
  );
  console.log(
    `worker-threads map vs inline loop: ${ratio('inline loop', 'worker-threads map')}x faster`,
  );
  console.log(
    `IO-bound, worker-threads / inline:  ${ratio('worker-threads IO 2000 x 10ms', 'inline IO 2000 x 10ms')}x the time`,
  );
}

const only = process.argv.indexOf('--case');
if (only >= 0) await runOne(process.argv[only + 1] as string);
else main();
