/**
 * Command-line flags of `npm run bench`: parsing and validation only. A bad flag yields a
 * message for the user (the CLI prints it and exits with code 2).
 */
import { availableParallelism } from 'node:os';
import { parseArgs as parseNodeArgs } from 'node:util';
import { QUICK_WORKLOADS, WORKLOAD_GROUPS, WORKLOAD_IDS, type WorkloadId } from './workloads.js';

/** What a run was asked to do. */
export interface BenchOptions {
  /** Backend names from `--backends`; `undefined`: every available one. */
  readonly backends: readonly string[] | undefined;
  /** Worker counts, ascending. */
  readonly workers: readonly number[];
  /** `--n`: items of the CPU-bound workload (and a cap on the others). */
  readonly n: number | undefined;
  /** `--samples`: a fixed number of samples per case (no extra samples, no budget). */
  readonly samples: number | undefined;
  readonly workloads: readonly WorkloadId[];
  readonly quick: boolean;
  readonly peers: boolean;
  readonly python: boolean;
  /** Folder for the results file and chart (relative: to where the user ran the command). */
  readonly out: string;
  /** Print the results as JSON on stdout instead of tables. */
  readonly json: boolean;
  /** `--compare`: an earlier results.json to compare this run with, case by case. */
  readonly compare: string | undefined;
  readonly help: boolean;
}

/** The outcome of {@link parseArgs}. */
export type ParsedArgs =
  | { readonly ok: true; readonly options: BenchOptions }
  | { readonly ok: false; readonly error: string };

/** Where results go unless `--out` says otherwise (relative to the working directory). */
export const DEFAULT_OUT_DIR = 'bench-results';

/** The text `--help` prints. */
export function usage(cores = availableParallelism()): string {
  return `Usage: pnpm bench [flags]     (or: npm run bench -- [flags])

Runs the article's workload (exact BigInt factorial of random integers in 1..99) on every
available manyhands backend for 1..${cores} workers, CPU-bound and IO-bound, plus per-task overhead,
and prints a table and a verdict per workload. Writes results.json and chart.svg to --out.
The cases of a workload are sampled interleaved (one sample of each, round after round, after
a discarded warm-up); a case whose verdict is undecided takes more samples while the time
budget allows (about 3 minutes on 2 cores, more with more cores).

Flags:
  --backends a,b     backends to run (default: every available one)
  --workers LIST     worker counts: 1,2,4 or 1-4 (default: 1-${cores})
  --n N              items of the CPU-bound workload (default 200000; 100000 with --quick);
                     also caps the other workloads' counts
  --workload LIST    cpu, io-timer, io-http, io-file, sequential, burst, or the groups
                     io, overhead, all (default: all; cpu, io-timer, sequential with --quick)
  --samples K        exactly K samples per case, no extra ones (default: at least 4 for cpu
                     and burst, 5 for the others, more while undecided; 3 with --quick)
  --quick            smaller counts and budget: a first look in well under a minute
  --compare FILE     compare with an earlier results.json: per-case speed ratios with their
                     intervals
  --peers            also run piscina, tinypool, workerpool and poolifier
  --python           also run the article's Python multiprocessing.Pool (needs python3)
  --out DIR          where results.json and chart.svg go (default: ${DEFAULT_OUT_DIR}, in the
                     folder you ran the command from)
  --json             print the results as JSON on stdout instead of tables
  -h, --help         this text

Exit codes: 0 done, 1 a case failed (wrong or missing results, a crash), 2 bad flags.
The foundation's speed targets: pnpm --filter @manyhands/bench run targets`;
}

function positiveInteger(flag: string, text: string): number | string {
  const value = Number(text.replaceAll('_', ''));
  if (!/^[0-9_.e+]+$/i.test(text) || !Number.isSafeInteger(value) || value < 1) {
    return `--${flag} must be a positive integer, got "${text}".`;
  }
  return value;
}

function parseWorkers(text: string): number[] | string {
  const counts = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from < 1 || to < from) return `--workers: "${part}" is not a range like 1-4.`;
      for (let count = from; count <= to; count++) counts.add(count);
      continue;
    }
    const count = positiveInteger('workers', part.trim());
    if (typeof count === 'string')
      return `--workers takes counts like 1,2,4 or 1-4, got "${text}".`;
    counts.add(count);
  }
  return [...counts].sort((a, b) => a - b);
}

function parseWorkloads(text: string): WorkloadId[] | string {
  const ids = new Set<WorkloadId>();
  for (const name of text.split(',').map((part) => part.trim())) {
    const group = WORKLOAD_GROUPS[name];
    if (group) for (const id of group) ids.add(id);
    else if ((WORKLOAD_IDS as readonly string[]).includes(name)) ids.add(name as WorkloadId);
    else {
      const known = [...WORKLOAD_IDS, ...Object.keys(WORKLOAD_GROUPS)].join(', ');
      return `--workload: unknown workload "${name}". Known: ${known}.`;
    }
  }
  return WORKLOAD_IDS.filter((id) => ids.has(id));
}

function parseNames(flag: string, text: string): string[] | string {
  const names = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  return names.length > 0 ? [...new Set(names)] : `--${flag} needs at least one name.`;
}

/** Parses the bench's flags. Never throws; a bad flag comes back as `{ ok: false, error }`. */
export function parseArgs(argv: readonly string[], cores = availableParallelism()): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseNodeArgs({
      args: argv[0] === '--' ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        backends: { type: 'string' },
        workers: { type: 'string' },
        n: { type: 'string' },
        workload: { type: 'string' },
        samples: { type: 'string' },
        quick: { type: 'boolean' },
        peers: { type: 'boolean' },
        python: { type: 'boolean' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        compare: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const fail = (error: string): ParsedArgs => ({ ok: false, error });
  const text = (name: string): string | undefined => values[name] as string | undefined;

  const backends =
    text('backends') === undefined ? undefined : parseNames('backends', text('backends')!);
  if (typeof backends === 'string') return fail(backends);
  const workers = text('workers') === undefined ? rangeTo(cores) : parseWorkers(text('workers')!);
  if (typeof workers === 'string') return fail(workers);
  const n = text('n') === undefined ? undefined : positiveInteger('n', text('n')!);
  if (typeof n === 'string') return fail(n);
  const samples =
    text('samples') === undefined ? undefined : positiveInteger('samples', text('samples')!);
  if (typeof samples === 'string') return fail(samples);
  const quick = values.quick === true;
  const workloads =
    text('workload') === undefined
      ? [...(quick ? QUICK_WORKLOADS : WORKLOAD_IDS)]
      : parseWorkloads(text('workload')!);
  if (typeof workloads === 'string') return fail(workloads);
  const out = text('out') ?? DEFAULT_OUT_DIR;
  if (out.trim() === '') return fail('--out needs a folder path.');
  const compare = text('compare');
  if (compare !== undefined && compare.trim() === '') {
    return fail('--compare needs the path of a results.json.');
  }

  return {
    ok: true,
    options: {
      backends,
      workers,
      n,
      samples,
      workloads,
      quick,
      peers: values.peers === true,
      python: values.python === true,
      out,
      json: values.json === true,
      compare,
      help: values.help === true,
    },
  };
}

function rangeTo(count: number): number[] {
  return Array.from({ length: Math.max(1, count) }, (_, i) => i + 1);
}
