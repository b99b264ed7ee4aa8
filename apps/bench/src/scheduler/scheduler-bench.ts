/**
 * The scheduler's benchmark (issue "scheduler v2"): crash storms, skewed maps of several shapes,
 * a short map and the article's map, each case in a fresh process, cases interleaved by round
 * (in an order that rotates each round) so drift on a shared machine hits all of them alike.
 * Prints medians with min–max.
 *
 *   node dist/scheduler/scheduler-bench.js [--rounds 5] [--workers 2] [--only crash,skew,short,article]
 *     [--backends worker-threads,child-process,cluster,threadsjs] [--passes 5] [--cold]
 *     [--weights default|all]   (all: every skew shape at each of several weights)
 *
 * A backend written `NAME+niceN` (e.g. `worker-threads+nice10`) starts its workers with
 * `niceIncrement: N`, so the same run compares a pool whose workers yield to the host with the
 * default one.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import { createChildProcessExecutor } from '@manyhands/child-process';
import { createClusterExecutor } from '@manyhands/cluster';
import { type Executor, failedInputIndex, medianOfSorted, WorkerExitError } from '@manyhands/core';
import { createThreadsJsExecutor } from '@manyhands/threadsjs';
import { createWorkerThreadsExecutor } from '@manyhands/worker-threads';
import { checksum } from '../checksum.js';
import { describeCoreSpeeds, measureCoreSpeeds } from '../core-speeds.js';
import { articleInputs } from '../inputs.js';
import {
  badPasses,
  medianOfPasses,
  type PassPlan,
  parsePasses,
  type TimedPass,
} from '../passes.js';
import { rotated } from '../sampling.js';
import { burn, factorial } from './scheduler-tasks.js';
import {
  BASE_US,
  equalWorkSlices,
  inOrderMakespan,
  parseSkewCase,
  type SkewCase,
  skewCaseName,
  skewCases,
  skewCosts,
} from './skew-shapes.js';

type Tasks = typeof import('./scheduler-tasks.js');
const TASKS = new URL('./scheduler-tasks.js', import.meta.url);
const BACKENDS = ['worker-threads', 'child-process', 'cluster', 'threadsjs'] as const;
/** A backend, optionally with `+niceN`: its workers started with `niceIncrement: N`. */
type Backend = (typeof BACKENDS)[number] | `${(typeof BACKENDS)[number]}+nice${number}`;

/** The backend of a `--backends` entry, and its `niceIncrement` when it has `+niceN`. */
function parseBackend(entry: Backend): {
  base: (typeof BACKENDS)[number];
  niceIncrement?: number;
} {
  const [base, nice] = entry.split('+nice') as [(typeof BACKENDS)[number], string | undefined];
  if (!BACKENDS.includes(base)) throw new Error(`unknown backend ${entry}`);
  return nice === undefined ? { base } : { base, niceIncrement: Number(nice) };
}

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const workers = Number(arg('workers', '2'));
/**
 * Time the first pass of a case (`--cold`) rather than the median of `--passes` (5) after an
 * untimed first one (see `passes.ts`); the plain loops are timed the same way as the pools.
 * The crash storm always runs once.
 */
const COLD = process.argv.includes('--cold');
const PASSES = parsePasses(arg('passes', '5')) ?? badPasses(arg('passes', ''));
/** How every timed case samples. */
function plan<T extends TimedPass>(same?: (pass: T) => unknown): PassPlan<T> {
  return { count: PASSES, cold: COLD, same };
}

function make(backend: Backend): Executor<Tasks> {
  const { base, niceIncrement } = parseBackend(backend);
  const options = { workers, ...(niceIncrement === undefined ? {} : { niceIncrement }) };
  switch (base) {
    case 'worker-threads':
      return createWorkerThreadsExecutor<Tasks>(TASKS, options);
    case 'child-process':
      return createChildProcessExecutor<Tasks>(TASKS, options);
    case 'cluster':
      return createClusterExecutor<Tasks>(TASKS, options);
    case 'threadsjs':
      return createThreadsJsExecutor<Tasks>(TASKS, options);
  }
}

/** Starts every worker before timing. */
async function warm(pool: Executor<Tasks>): Promise<void> {
  await Promise.all(Array.from({ length: workers * 8 }, (_, i) => pool.run('double', i)));
  await pool.map(
    'burn',
    Array.from({ length: 200 }, () => 20),
  );
}

/** What one case prints (one JSON line). */
interface CaseOutput {
  readonly seconds?: number;
  readonly ratio?: number;
  /** The in-order reference over the ideal (see `inOrderMakespan`). */
  readonly bound?: number;
  readonly ok?: number;
  readonly rejected?: number;
  readonly wrong?: number;
  /** The host's event-loop busy time over the map (`eventLoopUtilization().active`). */
  readonly hostMs?: number;
  /**
   * The host thread's own CPU time over the map (Linux: `/proc/thread-self/schedstat`). On a
   * machine with fewer cores than busy threads, the event loop counts as busy while its thread
   * waits for a core, so `hostMs` runs above this.
   */
  readonly hostCpuMs?: number;
  /**
   * The 99th percentile of the host's event-loop delay over the map, in ms: how long a timer
   * or a request of the host's own would have waited at worst (but for 1 %).
   */
  readonly hostDelayP99Ms?: number;
  readonly cpuMs?: number;
  readonly note?: string;
}

async function crashStorm(backend: Backend): Promise<CaseOutput> {
  const pool = make(backend);
  await warm(pool);
  const n = 10_000;
  const calls = Array.from({ length: n }, (_, i) =>
    pool.run('exitIfNegative', i % 100 === 99 ? -1 : i).then(
      (value) => (value === i + 1 ? 'ok' : 'wrong'),
      (error: unknown) =>
        i % 100 === 99 && error instanceof WorkerExitError ? 'rejected' : 'wrong',
    ),
  );
  const outcomes = await Promise.all(calls);
  const count = (what: string) => outcomes.filter((o) => o === what).length;
  // One map where one item ends its worker: the error must name that item.
  const inputs = Array.from({ length: 10_000 }, (_, i) => (i === 6_543 ? -1 : i));
  let note = 'map did not reject';
  try {
    await pool.map('exitIfNegative', inputs);
  } catch (error) {
    note = `map rejected: ${(error as Error).name} failedInputIndex=${failedInputIndex(error)}`;
  }
  await pool.close();
  return { ok: count('ok'), rejected: count('rejected'), wrong: count('wrong'), note };
}

/** Items of the calibration loop that measures what `burn` costs beyond its nominal µs. */
const CALIBRATION_ITEMS = 20_000;

/**
 * What one `burn` call costs on this thread beyond the µs it was asked for (its clock reads
 * and the call itself), in µs: a plain loop of cheap items, timed in the case's own process.
 */
function burnOverheadUs(): number {
  const t0 = performance.now();
  for (let i = 0; i < CALIBRATION_ITEMS; i++) burn(BASE_US);
  const perItemUs = ((performance.now() - t0) * 1000) / CALIBRATION_ITEMS;
  return Math.max(0, perItemUs - BASE_US);
}

async function skew(backend: Backend, { shape, weight }: SkewCase): Promise<CaseOutput> {
  const costs = skewCosts(shape, 100_000, weight);
  // The work is what the items really cost on one thread: their nominal µs plus what each
  // `burn` call costs beyond it (about 1 µs here, a fifth of a cheap item).
  const overheadUs = burnOverheadUs();
  const total = costs.reduce((a, b) => a + b, 0) + costs.length * overheadUs;
  const ideal = Math.max(total / workers, Math.max(...costs) + overheadUs) / 1e6;
  const bound = inOrderMakespan(costs, workers, overheadUs) / 1e6;
  const pool = make(backend);
  await warm(pool);
  const { seconds } = await medianOfPasses(async () => {
    const t0 = performance.now();
    const out = await pool.map('burn', costs);
    const seconds = (performance.now() - t0) / 1000;
    if (out.length !== costs.length || out.some((v, i) => v !== costs[i])) throw new Error('bad');
    return { seconds };
  }, plan());
  await pool.close();
  return {
    seconds,
    ratio: seconds / ideal,
    bound: bound / ideal,
    note: `burn overhead ${overheadUs.toFixed(2)} µs/item`,
  };
}

/** A raw thread of the static split: burns its slice of the costs each time it is told to. */
const SPLIT_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tasks).then(({ burn }) => {
  parentPort.on('message', () => {
    for (const us of workerData.costs) burn(us);
    parentPort.postMessage(performance.now());
  });
  parentPort.postMessage('ready');
});
`;

/**
 * The machine's own floor for a shape, with no pool: `workers` plain threads, each burning a
 * contiguous slice of the items chosen in advance so that every slice carries the same work
 * (perfect balance, known beforehand; no messages while it runs). What it loses to the ideal is
 * what this machine costs any pool: CPUs shared with the host, GC threads and other tenants.
 */
async function staticSplit({ shape, weight }: SkewCase): Promise<CaseOutput> {
  const { Worker } = await import('node:worker_threads');
  const costs = skewCosts(shape, 100_000, weight);
  const overheadUs = burnOverheadUs();
  const total = costs.reduce((a, b) => a + b, 0) + costs.length * overheadUs;
  const ideal = Math.max(total / workers, Math.max(...costs) + overheadUs) / 1e6;
  const slices = equalWorkSlices(costs, workers, overheadUs);
  const threads = slices.map(
    (slice) =>
      new Worker(SPLIT_THREAD, {
        eval: true,
        workerData: { tasks: TASKS.href, costs: slice },
      }),
  );
  const next = () =>
    Promise.all(threads.map((t) => new Promise<unknown>((r) => t.once('message', r))));
  await next();
  const pass = async (): Promise<number> => {
    const t0 = performance.now();
    const ends = next();
    for (const t of threads) t.postMessage('go');
    return (Math.max(...((await ends) as number[])) - t0) / 1000;
  };
  const { seconds } = await medianOfPasses(async () => ({ seconds: await pass() }), plan());
  await Promise.all(threads.map((t) => t.terminate()));
  return { seconds, ratio: seconds / ideal, note: 'no pool: equal-work slices on plain threads' };
}

/** This thread's CPU time in ms, where Linux tells it (undefined elsewhere). */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

async function articleMap(backend: Backend | 'loop', n: number): Promise<CaseOutput> {
  const inputs = articleInputs(n);
  const same = (pass: CaseOutput) => pass.note;
  if (backend === 'loop') {
    return medianOfPasses(async () => {
      const t0 = performance.now();
      const results = new Array<bigint>(n);
      for (let i = 0; i < n; i++) results[i] = factorial(inputs[i] as number);
      return { seconds: (performance.now() - t0) / 1000, note: checksum(results) };
    }, plan(same));
  }
  const pool = make(backend);
  await warm(pool);
  const sample = await medianOfPasses(async () => {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const elu0 = performance.eventLoopUtilization();
    const thread0 = threadCpuMs();
    const cpu0 = cpuUsage();
    const t0 = performance.now();
    const results = await pool.map('factorial', inputs);
    const seconds = (performance.now() - t0) / 1000;
    const elu = performance.eventLoopUtilization(elu0);
    const thread1 = threadCpuMs();
    delay.disable();
    const cpu = cpuUsage(cpu0);
    return {
      seconds,
      hostMs: elu.active,
      hostCpuMs: thread0 !== undefined && thread1 !== undefined ? thread1 - thread0 : undefined,
      hostDelayP99Ms: delay.percentile(99) / 1e6,
      cpuMs: (cpu.user + cpu.system) / 1000,
      note: checksum(results),
    };
  }, plan(same));
  await pool.close();
  return sample;
}

async function runCase(name: string): Promise<CaseOutput> {
  const [kind, a, b] = name.split(':') as [string, string, string | undefined];
  switch (kind) {
    case 'crash':
      return crashStorm(a as Backend);
    case 'skew':
      if (a === 'static-split') return staticSplit(parseSkewCase(b as string));
      return skew(a as Backend, parseSkewCase(b as string));
    case 'short':
      return articleMap(a as Backend | 'loop', 100_000);
    case 'article':
      return articleMap(a as Backend | 'loop', 1_000_000);
  }
  throw new Error(`unknown case ${name}`);
}

function caseNames(): string[] {
  const only = arg('only', 'crash,skew,short,article').split(',');
  const backends = arg('backends', BACKENDS.join(',')).split(',') as Backend[];
  const names: string[] = [];
  if (only.includes('crash')) for (const b of backends) names.push(`crash:${b}`);
  if (only.includes('skew')) {
    const weights = arg('weights', 'default');
    if (weights !== 'default' && weights !== 'all') throw new Error('--weights is default or all');
    for (const skewCase of skewCases(weights)) {
      const shape = skewCaseName(skewCase);
      for (const b of backends)
        if (!['cluster', 'threadsjs'].includes(parseBackend(b).base)) {
          names.push(`skew:${b}:${shape}`);
        }
      names.push(`skew:static-split:${shape}`);
    }
  }
  if (only.includes('short')) {
    names.push('short:loop');
    for (const b of backends) names.push(`short:${b}`);
  }
  if (only.includes('article')) {
    names.push('article:loop');
    for (const b of backends) names.push(`article:${b}`);
  }
  return names;
}

function median(values: readonly number[]): number {
  return medianOfSorted([...values].sort((x, y) => x - y));
}

function spread(values: readonly number[], digits: number): string {
  if (values.length === 0) return '';
  const m = median(values).toFixed(digits);
  return `${m} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const rounds = Number(arg('rounds', '5'));
  const names = caseNames();
  const samples = new Map<string, CaseOutput[]>();
  console.log(
    `scheduler bench: workers=${workers}, rounds=${rounds}, ${COLD ? 'first pass timed' : `median of ${PASSES} passes after an untimed one`}, node ${process.version}`,
  );
  console.log(`before the run, ${describeCoreSpeeds(measureCoreSpeeds())}`);
  for (let round = 0; round < rounds; round++) {
    // The order rotates each round, so no case always runs right after the same one.
    for (const name of rotated(names, round)) {
      const out = execFileSync(
        process.execPath,
        [
          self,
          '--case',
          name,
          '--workers',
          String(workers),
          '--passes',
          String(PASSES),
          ...(COLD ? ['--cold'] : []),
        ],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          timeout: 300_000,
        },
      );
      const row = JSON.parse(out.trim().split('\n').pop() as string) as CaseOutput;
      samples.set(name, [...(samples.get(name) ?? []), row]);
      process.stderr.write(`round ${round + 1}/${rounds} ${name}: ${JSON.stringify(row)}\n`);
    }
  }
  console.log(`after the run, ${describeCoreSpeeds(measureCoreSpeeds())}`);
  for (const name of names) {
    const runs = samples.get(name) as CaseOutput[];
    const pick = (key: keyof CaseOutput) =>
      runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    const parts = [name.padEnd(40)];
    if (name.startsWith('crash')) {
      parts.push(
        `ok ${spread(pick('ok'), 0)}  rejected ${spread(pick('rejected'), 0)}  wrong ${spread(pick('wrong'), 0)}  ${runs[0]?.note}`,
      );
    } else {
      parts.push(`${spread(pick('seconds'), 3)} s`);
      if (name.startsWith('skew')) {
        parts.push(`ideal ratio ${spread(pick('ratio'), 2)}`);
        if (pick('bound').length) parts.push(`(in-order reference ${spread(pick('bound'), 3)})`);
      }
      const loop = samples.get(`${name.split(':')[0]}:loop`);
      if (loop && !name.endsWith(':loop')) {
        // Speedup over the loop, per round (same round's loop sample).
        const ratios = runs.map(
          (r, i) => (loop[i]?.seconds ?? Number.NaN) / (r.seconds ?? Number.NaN),
        );
        parts.push(`speedup ${spread(ratios, 2)}×`);
        if (runs.some((r) => r.note !== loop[0]?.note)) parts.push('CHECKSUM MISMATCH');
      }
      if (pick('hostMs').length)
        parts.push(
          `host ${spread(pick('hostMs'), 0)} ms  host thread cpu ${spread(pick('hostCpuMs'), 0)} ms  host loop delay p99 ${spread(pick('hostDelayP99Ms'), 0)} ms  process cpu ${spread(pick('cpuMs'), 0)} ms`,
        );
    }
    console.log(parts.join('  '));
  }
}

const only = process.argv.indexOf('--case');
if (only >= 0) {
  const result = await runCase(process.argv[only + 1] as string);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else main();
