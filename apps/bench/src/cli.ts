/**
 * `npm run bench`: parses the flags, runs the bench, prints a table and a verdict per workload
 * (or JSON with `--json`) and writes results.json and chart.svg.
 *
 * Exit codes: 0 done, 1 a case failed, 2 bad flags.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, usage } from './args.js';
import { StreamProgress } from './progress.js';
import { loadRegistry, type Registry } from './registry.js';
import { resultsJson, writeResults } from './results-file.js';
import { runBench, unknownBackends } from './runner.js';
import { renderTables } from './table.js';
import { verdicts } from './verdict.js';

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
  const report = await runBench(options, backends, progress);
  // npm and pnpm run scripts in the package's folder; INIT_CWD is where the user typed it.
  const written = await writeResults(
    report,
    resolve(process.env.INIT_CWD ?? process.cwd(), options.out),
  );
  if (options.json) stdout.write(resultsJson(report));
  else {
    stdout.write(`\n${renderTables(report)}\n\n`);
    stdout.write(`Verdict (which backend fits; a backend must beat inline by more than 10%):\n`);
    for (const line of verdicts(report)) stdout.write(`  ${line}\n`);
    for (const skip of report.skipped) stdout.write(`  skipped ${skip.name}: ${skip.reason}\n`);
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

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
