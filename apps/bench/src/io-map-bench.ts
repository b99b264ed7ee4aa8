/**
 * The IO-bound `map` against a hand-chunked peer (issue "scheduler v2"): worker-threads and
 * child-process `map` over 2,500 items of an IO task (loopback HTTP GET, file read or 10 ms
 * timer, each followed by the factorial), next to workerpool running the same items by hand in
 * chunks of 1000. With `--before DIR` (a built copy of another revision) its backends run in
 * the same rounds. Every sample is a fresh process (its pool, and the IO fixture the bench
 * itself serves); rounds interleave every subject in an order that rotates each round.
 *
 *   node dist/io-map-bench.js [--task http|file|timer] [--rounds 7] [--workers 2] [--before DIR]
 *
 * A sample is the median of 10 passes after 4 untimed ones (the fs and HTTP paths compile
 * slowly); every pass's results are checked against a loop's. A built copy needs only `packages/{core,worker-threads,child-process}` with their
 * `dist/`, `package.json` and `node_modules/@manyhands/core` link.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Executor } from '@manyhands/core';
import { checksum } from './checksum.js';
import { articleInputs } from './inputs.js';
import { startIoFixture } from './io-fixture.js';
import { rotated } from './sampling.js';
import { factorial } from './tasks.js';

type Tasks = typeof import('./peers/peer-tasks.js');
const TASKS = new URL('./peers/peer-tasks.js', import.meta.url);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TASK_OF = {
  http: 'factorialAfterHttp',
  file: 'factorialAfterFile',
  timer: 'factorialAfterTimer',
} as const;
const ITEMS = 2_500;
const HAND_CHUNK = 1_000;
const WARM_PASSES = 4;
const TIMED_PASSES = 10;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const workers = Number(arg('workers', '2'));

/** One sample in this process: `--one ROOT|workerpool BACKEND TASK`. */
async function runOne(root: string, backend: string, task: keyof typeof TASK_OF): Promise<void> {
  const fixture = await startIoFixture();
  Object.assign(process.env, fixture.env);
  const name = TASK_OF[task];
  const inputs = articleInputs(ITEMS);
  let pass: () => Promise<bigint[]>;
  let close: () => Promise<void>;
  if (root === 'workerpool') {
    const { peer } = await import('./peers/workerpool.js');
    const pool = await peer.create(workers);
    pass = async () => {
      const chunks: number[][] = [];
      for (let i = 0; i < inputs.length; i += HAND_CHUNK) {
        chunks.push(inputs.slice(i, i + HAND_CHUNK));
      }
      const parts = await Promise.all(chunks.map((chunk) => pool.run(`${name}Chunk`, chunk)));
      return (parts as bigint[][]).flat();
    };
    close = () => pool.close();
  } else {
    const [dir, factory] =
      backend === 'child-process'
        ? ['child-process', 'createChildProcessExecutor']
        : ['worker-threads', 'createWorkerThreadsExecutor'];
    const url = pathToFileURL(resolve(root, 'packages', dir, 'dist/index.js')).href;
    const mod = (await import(url)) as Record<string, (m: URL, o: object) => Executor<Tasks>>;
    const pool = (mod[factory] as (m: URL, o: object) => Executor<Tasks>)(TASKS, { workers });
    pass = () => pool.map(name, inputs);
    close = () => pool.close();
  }
  const expected = checksum(inputs.map(factorial));
  const times: number[] = [];
  for (let i = 0; i < WARM_PASSES + TIMED_PASSES; i++) {
    const t0 = performance.now();
    const results = await pass();
    if (i >= WARM_PASSES) times.push(performance.now() - t0);
    if (checksum(results) !== expected) throw new Error(`${root} ${backend}: wrong results`);
  }
  await close();
  await fixture.close();
  process.stdout.write(`${JSON.stringify({ ms: median(times) })}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const task = arg('task', 'http') as keyof typeof TASK_OF;
  if (!(task in TASK_OF)) {
    console.error(`--task must be one of ${Object.keys(TASK_OF).join(', ')}.`);
    process.exit(2);
  }
  const rounds = Number(arg('rounds', '7'));
  const before = process.argv.includes('--before') ? resolve(arg('before', '')) : undefined;
  const versions: [string, string][] = [['after', REPO]];
  if (before) versions.unshift(['before', before]);
  const subjects = [
    ...versions.flatMap(([label, root]) =>
      ['worker-threads', 'child-process'].map((backend) => ({ label, root, backend })),
    ),
    { label: 'peer', root: 'workerpool', backend: `workerpool, chunks of ${HAND_CHUNK}` },
  ];
  const samples = new Map<string, number[]>();
  console.log(
    `io map bench: ${ITEMS} × ${TASK_OF[task]}, workers=${workers}, ${rounds} rounds, ` +
      `median of ${TIMED_PASSES} passes after ${WARM_PASSES} per sample, node ${process.version}`,
  );
  for (let round = 0; round < rounds; round++) {
    for (const { label, root, backend } of rotated(subjects, round)) {
      const out = execFileSync(
        process.execPath,
        [self, '--one', root, backend, task, '--workers', String(workers)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const { ms } = JSON.parse(out.trim().split('\n').pop() as string) as { ms: number };
      const key = `${label} ${backend}`;
      samples.set(key, [...(samples.get(key) ?? []), ms]);
      process.stderr.write(`round ${round + 1}/${rounds} ${key}: ${ms.toFixed(1)} ms\n`);
    }
  }
  const peer = median(samples.get(`peer workerpool, chunks of ${HAND_CHUNK}`) ?? []);
  for (const [key, values] of samples) {
    console.log(
      `  ${key.padEnd(34)} ${median(values).toFixed(1).padStart(7)} ms ` +
        `[${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}]  ` +
        `${(median(values) / peer).toFixed(2)}x workerpool hand-chunked`,
    );
  }
}

const one = process.argv.indexOf('--one');
if (one >= 0) {
  const [root, backend, task] = process.argv.slice(one + 1, one + 4) as [
    string,
    string,
    keyof typeof TASK_OF,
  ];
  await runOne(root, backend, task);
} else {
  main();
}
