/**
 * The channel bench of the process backends (issue 10): worker-threads vs child-process vs
 * cluster on the article's map, a sequential round trip (and its floor: the same ping-pong over
 * the bare transport, no pool), a burst of concurrent no-op calls, the IO-bound timer case and
 * 1 MB typed-array arguments. With `--before DIR` (a built copy of
 * another revision, e.g. main) its three backends run in the same rounds, so before and after
 * come from one run. Every sample runs in a fresh process; rounds interleave every case and
 * backend (in an order that rotates each round), so a noisy minute on a shared machine hits
 * all of them.
 *
 *   node dist/channel-bench.js [--rounds 5] [--workers 2] [--n 1000000] [--before DIR] [--after DIR]
 *                              [--case NAME] [--passes 5] [--cold]
 *
 * Each sample is the median of `--passes` (5) passes of its case in its process, after a first
 * one that compiles the code paths it takes (as in any long-lived pool) and is not timed;
 * `--cold` times the first pass alone.
 *
 * `--after DIR` measures another built copy instead of this repository (a snapshot, so the
 * repository can be rebuilt while a long run goes on). A built copy needs only
 * `packages/{core,worker-threads,child-process,cluster}` with their `dist/`, `package.json` and
 * `node_modules/@manyhands/core` link.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Executor } from '@manyhands/core';
import { pipeFloor, threadFloor } from './channel-floor.js';
import { checksum } from './checksum.js';
import { describeCoreSpeeds, measureCoreSpeeds } from './core-speeds.js';
import { articleInputs } from './inputs.js';
import { badPasses, medianOfPasses, parsePasses } from './passes.js';
import { rotated } from './sampling.js';
import { factorial } from './tasks.js';

type Tasks = typeof import('./channel-tasks.js');
const TASKS = new URL('./channel-tasks.js', import.meta.url);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const BACKENDS = {
  'worker-threads': ['worker-threads', 'createWorkerThreadsExecutor'],
  'child-process': ['child-process', 'createChildProcessExecutor'],
  cluster: ['cluster', 'createClusterExecutor'],
} as const;
type Backend = keyof typeof BACKENDS;

interface Sample {
  readonly seconds: number;
  readonly perTaskUs?: number;
  readonly checksum?: string;
}

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const n = Number(arg('n', '1000000'));
const workers = Number(arg('workers', '2'));

async function make(root: string, backend: Backend): Promise<Executor<Tasks>> {
  const [dir, factory] = BACKENDS[backend];
  const url = pathToFileURL(resolve(root, 'packages', dir, 'dist/index.js')).href;
  const mod = (await import(url)) as Record<string, (m: URL, o: object) => Executor<Tasks>>;
  return (mod[factory] as (m: URL, o: object) => Executor<Tasks>)(TASKS, { workers });
}

async function warm(pool: Executor<Tasks>): Promise<void> {
  await Promise.all(Array.from({ length: workers * 4 }, () => pool.run('noop')));
  await pool.map('factorial', articleInputs(20_000, 1));
}

const timed = async (body: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await body();
  return (performance.now() - t0) / 1000;
};

const SEQUENTIAL = 10_000;
/**
 * The sequential round trip with no pool: a bare `MessagePort` ping-pong for worker-threads, a
 * bare pipe ping-pong (the process backends' data channel) for child-process and cluster; see
 * `channel-floor.ts`. Measured in the same rounds (for the "after" revision only: it runs none
 * of our code), it shows how much of each backend's round trip is its transport's.
 */
const FLOOR = 'sequential floor';

async function floorSample(backend: Backend): Promise<Sample> {
  const perTaskUs = await (backend === 'worker-threads' ? threadFloor : pipeFloor)(SEQUENTIAL);
  return { seconds: (perTaskUs * SEQUENTIAL) / 1e6, perTaskUs };
}
const BURST = 200_000;
const BIG_CALLS = 200;
const BIG_LENGTH = (1024 * 1024) / 8;

const CASES: Record<string, (pool: Executor<Tasks>) => Promise<Sample>> = {
  async map(pool) {
    const inputs = articleInputs(n);
    let results: bigint[] = [];
    const seconds = await timed(async () => {
      results = await pool.map('factorial', inputs);
    });
    return { seconds, checksum: checksum(results) };
  },
  async sequential(pool) {
    const seconds = await timed(async () => {
      for (let i = 0; i < SEQUENTIAL; i++) await pool.run('noop');
    });
    return { seconds, perTaskUs: (seconds * 1e6) / SEQUENTIAL };
  },
  async burst(pool) {
    const seconds = await timed(() =>
      Promise.all(Array.from({ length: BURST }, () => pool.run('noop'))),
    );
    return { seconds, perTaskUs: (seconds * 1e6) / BURST };
  },
  async 'io 2000 x 10ms'(pool) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => pool.run('factorialAfterTimer', i)));
    const inputs = articleInputs(2000);
    let results: bigint[] = [];
    const seconds = await timed(async () => {
      results = await Promise.all(inputs.map((i) => pool.run('factorialAfterTimer', i)));
    });
    return { seconds, checksum: checksum(results) };
  },
  async '200 x 1 MB Float64Array'(pool) {
    const payload = new Float64Array(BIG_LENGTH).map((_, i) => i % 7);
    const expected = payload.reduce((a, b) => a + b, 0);
    let sums: number[] = [];
    const seconds = await timed(async () => {
      sums = await Promise.all(
        Array.from({ length: BIG_CALLS }, () => pool.run('sumFloat64', payload)),
      );
    });
    if (sums.some((s) => s !== expected)) throw new Error('a 1 MB payload arrived damaged');
    return { seconds, perTaskUs: (seconds * 1e6) / BIG_CALLS };
  },
};

/** Timed passes of a case per sample (after an untimed first one), unless `--cold`. */
const PASSES = parsePasses(arg('passes', '5')) ?? badPasses(arg('passes', ''));

/** One sample in this process: `--one ROOT BACKEND CASE`. */
async function runOne(root: string, backend: Backend, name: string): Promise<void> {
  if (name === FLOOR) {
    process.stdout.write(`${JSON.stringify(await floorSample(backend))}\n`);
    return;
  }
  const pool = await make(root, backend);
  await warm(pool);
  const run = CASES[name] as (pool: Executor<Tasks>) => Promise<Sample>;
  // A pool lives for many calls: the sample is the median of `--passes` after an untimed
  // first one (see passes.ts); `--cold` times the first pass alone.
  const sample = await medianOfPasses(() => run(pool), {
    count: PASSES,
    cold: process.argv.includes('--cold'),
    same: (pass) => pass.checksum,
  });
  await pool.close();
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function loopSeconds(): Sample {
  const inputs = articleInputs(n);
  const t0 = performance.now();
  const results = new Array<bigint>(inputs.length);
  for (let i = 0; i < inputs.length; i++) results[i] = factorial(inputs[i] as number);
  return { seconds: (performance.now() - t0) / 1000, checksum: checksum(results) };
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const rounds = Number(arg('rounds', '5'));
  const before = process.argv.includes('--before') ? resolve(arg('before', '')) : undefined;
  const names = Object.keys(CASES);
  names.splice(names.indexOf('sequential') + 1, 0, FLOOR);
  const only = process.argv.includes('--case') ? [arg('case', '')] : names;
  const after = process.argv.includes('--after') ? resolve(arg('after', '')) : REPO;
  const versions: [label: string, root: string][] = [['after', after]];
  if (before) versions.unshift(['before', before]);
  const subjects = versions.flatMap(([label, root]) =>
    (Object.keys(BACKENDS) as Backend[]).map((backend) => ({ label, root, backend })),
  );
  const samples = new Map<string, Sample[]>();
  const add = (key: string, sample: Sample) =>
    samples.set(key, [...(samples.get(key) ?? []), sample]);
  console.log(
    `manyhands channel bench: n=${n}, workers=${workers}, ${rounds} interleaved rounds, ` +
      (process.argv.includes('--cold')
        ? 'first pass timed'
        : `median of ${PASSES} passes after an untimed one`) +
      `, node ${process.version}` +
      (before ? `, before = ${before}` : '') +
      `, after = ${after}`,
  );
  console.log(`before the run, ${describeCoreSpeeds(measureCoreSpeeds())}`);
  for (let round = 0; round < rounds; round++) {
    if (only.includes('map')) add('loop', loopSeconds());
    for (const name of only) {
      // The order rotates each round, so no subject always runs right after the same one
      // (a process that just exited, a cache another warmed).
      for (const { label, root, backend } of rotated(subjects, round)) {
        if (name === FLOOR && label !== 'after') continue;
        const cold = process.argv.includes('--cold') ? ['--cold'] : [];
        const out = execFileSync(
          process.execPath,
          [
            self,
            '--one',
            root,
            backend,
            name,
            '--n',
            String(n),
            '--workers',
            String(workers),
            '--passes',
            String(PASSES),
            ...cold,
          ],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const sample = JSON.parse(out.trim().split('\n').pop() as string) as Sample;
        add(`${name}|${label}|${backend}`, sample);
        process.stderr.write(
          `round ${round + 1}/${rounds} ${name} ${label} ${backend}: ${sample.seconds.toFixed(3)} s\n`,
        );
      }
    }
  }
  const loop = samples.get('loop');
  const loopMedian = loop ? median(loop.map((s) => s.seconds)) : undefined;
  console.log(`after the run, ${describeCoreSpeeds(measureCoreSpeeds())}`);
  if (loop) console.log(`\nplain loop (map reference): ${loopMedian?.toFixed(3)} s`);
  for (const name of only) {
    console.log(`\n${name}`);
    for (const [label] of versions) {
      if (name === FLOOR && label !== 'after') continue;
      const wt = median(
        (samples.get(`${name}|${label}|worker-threads`) ?? []).map((s) => s.seconds),
      );
      for (const backend of Object.keys(BACKENDS) as Backend[]) {
        const runs = samples.get(`${name}|${label}|${backend}`) ?? [];
        const pick = (s: Sample) => s.perTaskUs ?? s.seconds;
        const unit = runs[0]?.perTaskUs === undefined ? 's' : 'µs/task';
        const values = runs.map(pick);
        const digits = unit === 's' ? 3 : 2;
        const seconds = median(runs.map((s) => s.seconds));
        const speedup =
          name === 'map' && loopMedian
            ? `  speedup over loop ${(loopMedian / seconds).toFixed(2)}x`
            : '';
        const sums = new Set(runs.map((s) => s.checksum));
        if (loop && name === 'map' && (sums.size !== 1 || !sums.has(loop[0]?.checksum))) {
          console.error(`CHECKSUM MISMATCH: ${name} ${label} ${backend}`);
          process.exitCode = 1;
        }
        console.log(
          `  ${label.padEnd(6)} ${backend.padEnd(14)} ${median(values).toFixed(digits).padStart(9)} ${unit}` +
            ` [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]` +
            `  ${(seconds / wt).toFixed(2)}x worker-threads${speedup}`,
        );
      }
    }
  }
}

const one = process.argv.indexOf('--one');
if (one >= 0) {
  const [root, backend, name] = process.argv.slice(one + 1, one + 4) as [string, Backend, string];
  await runOne(root, backend, name);
} else {
  main();
}
