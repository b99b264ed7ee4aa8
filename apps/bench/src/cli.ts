/**
 * `pnpm bench` / `npm run bench`: parses the flags, runs the bench, prints a table and a
 * verdict per workload (or JSON with `--json`), how noisy the machine was, the comparison
 * with `--compare`, and writes results.json and chart.svg.
 *
 * Exit codes: 0 done, 1 a case failed, 2 bad flags.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, usage } from './args.js';
import { type ComparableRun, compareRuns, readComparableRun, renderComparison } from './compare.js';
import { describeCoreSpeeds, measureCoreSpeeds } from './core-speeds.js';
import { describeNoise } from './noise.js';
import { StreamProgress } from './progress.js';
import { loadRegistry, type Registry } from './registry.js';
import { resultsJson, writeResults } from './results-file.js';
import { runBench, unknownBackends } from './runner.js';
import { renderTables } from './table.js';
import { NOISE_MARGIN, verdicts } from './verdict.js';
import { WORKLOADS } from './workloads.js';

/** Where the CLI writes. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Runs the CLI with `argv` (without node and script); resolves to the exit code. `registry`
 * loads the backends (tests add misbehaving ones).
 */
export async function main(
  argv: readonly string[],
  streams: CliStreams = { stdout: process.stdout, stderr: process.stderr },
  registry: () => Promise<Registry> = () => loadRegistry(),
): Promise<number> {
  const { stdout, stderr } = streams;
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    stderr.write(`bench: ${parsed.error}\nRun with --help for the flags.\n`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    stdout.write(`${usage()}\n`);
    return 0;
  }
  // npm and pnpm run scripts in the package's folder; INIT_CWD is where the user typed it.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  let previous: ComparableRun | undefined;
  if (options.compare !== undefined) {
    try {
      previous = await readComparableRun(resolve(cwd, options.compare));
    } catch (error) {
      stderr.write(`bench: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const backends = await registry();
  const unknown = unknownBackends(backends, options.backends);
  if (unknown.length > 0) {
    const known = backends.backends.map((b) => b.entry.name).join(', ');
    stderr.write(
      `bench: unknown backend ${unknown.map((n) => `"${n}"`).join(', ')}. Known: ${known}.\n`,
    );
    return 2;
  }
  const progress = new StreamProgress(stderr, stderr.isTTY === true);
  const coresBefore = options.json ? undefined : describeCoreSpeeds(measureCoreSpeeds());
  const report = await runBench(options, backends, progress);
  const coresAfter = options.json ? undefined : describeCoreSpeeds(measureCoreSpeeds());
  const written = await writeResults(report, resolve(cwd, options.out));
  const comparison =
    previous === undefined
      ? undefined
      : renderComparison(
          compareRuns(previous, report),
          previous,
          report,
          options.compare as string,
        );
  if (options.json) {
    stdout.write(resultsJson(report));
    if (comparison) stderr.write(`\n${comparison}\n`);
  } else {
    stdout.write(`\n${renderTables(report)}\n\n`);
    const margin = Math.round(NOISE_MARGIN * 100);
    stdout.write(
      `Verdict (a backend is named only when its interval beats inline by more than ${margin} % and clears the others'):\n`,
    );
    for (const line of verdicts(report)) stdout.write(`  ${line}\n`);
    for (const skip of report.skipped) stdout.write(`  skipped ${skip.name}: ${skip.reason}\n`);
    stdout.write(`\n${noiseLines(report).join('\n')}\n`);
    stdout.write(`  before the run, ${coresBefore}\n  after the run, ${coresAfter}\n`);
    if (comparison) stdout.write(`\n${comparison}\n`);
    stdout.write(`\nResults: ${written.json}\nChart:   ${written.chart}\n`);
  }
  const failures = report.cases.filter((c) => !c.ok);
  if (failures.length > 0) {
    stderr.write(`\nbench: ${failures.length} case(s) FAILED:\n`);
    for (const c of failures) stderr.write(`  ${c.id}: ${c.error}\n`);
    return 1;
  }
  stderr.write(`bench: done in ${report.durationSeconds.toFixed(0)} s\n`);
  return 0;
}

/** How noisy the machine was, per workload, and what to do about it. */
function noiseLines(report: Awaited<ReturnType<typeof runBench>>): string[] {
  const runs = Object.entries(report.workloads ?? {});
  const noisy = runs.filter(([, run]) => run?.noise.noisy);
  const lines = [
    noisy.length === 0
      ? 'Machine: quiet enough while measuring.'
      : 'Machine: NOISY while measuring — other work competed for the CPU, so figures and verdicts may not hold on an idle machine; close other programs and run again.',
  ];
  for (const [workload, run] of runs) {
    if (!run) continue;
    const label = WORKLOADS[workload as keyof typeof WORKLOADS].label;
    const stop =
      run.stoppedBy === 'budget'
        ? ', stopped by its time budget'
        : run.stoppedBy === 'max-samples'
          ? ', stopped at the most samples'
          : '';
    lines.push(
      `  ${label}${run.noise.noisy ? ' (noisy)' : ''}: ${describeNoise(run.noise)}; ${run.rounds} rounds in ${Math.round(run.seconds)} s (budget ${Math.round(run.budgetSeconds)} s)${stop}`,
    );
  }
  return lines;
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
