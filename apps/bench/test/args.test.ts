import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OUT_DIR, parseArgs, usage } from '../dist/args.js';
import { WORKLOAD_IDS } from '../dist/workloads.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function options(argv: string[], cores = 4) {
  const parsed = parseArgs(argv, cores);
  if (!parsed.ok) throw new Error(`expected ok, got: ${parsed.error}`);
  return parsed.options;
}

function error(argv: string[]): string {
  const parsed = parseArgs(argv, 4);
  if (parsed.ok) throw new Error(`expected an error for ${argv.join(' ')}`);
  return parsed.error;
}

describe('parseArgs', () => {
  it('defaults: every workload, workers 1..cores, no extras', () => {
    expect(options([], 4)).toEqual({
      backends: undefined,
      workers: [1, 2, 3, 4],
      n: undefined,
      samples: undefined,
      workloads: [...WORKLOAD_IDS],
      quick: false,
      peers: false,
      python: false,
      out: DEFAULT_OUT_DIR,
      json: false,
      help: false,
    });
    expect(options([], 1).workers).toEqual([1]);
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const parsed = options([
      '--backends',
      'inline,worker-threads',
      '--workers=4,1,2,2',
      '--n',
      '1_000',
      '--samples=2',
      '--workload',
      'cpu,overhead',
      '--quick',
      '--peers',
      '--python',
      '--out',
      '/tmp/x',
      '--json',
    ]);
    expect(parsed.backends).toEqual(['inline', 'worker-threads']);
    expect(parsed.workers).toEqual([1, 2, 4]);
    expect(parsed.n).toBe(1000);
    expect(parsed.samples).toBe(2);
    expect(parsed.workloads).toEqual(['cpu', 'sequential', 'burst']);
    expect([parsed.quick, parsed.peers, parsed.python, parsed.json]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(parsed.out).toBe('/tmp/x');
  });

  it('takes worker ranges, 1e6-style counts, workload groups and a leading --', () => {
    expect(options(['--workers', '2-4']).workers).toEqual([2, 3, 4]);
    expect(options(['--n', '1e6']).n).toBe(1_000_000);
    expect(options(['--workload', 'io']).workloads).toEqual(['io-timer', 'io-http', 'io-file']);
    expect(options(['--', '--quick']).quick).toBe(true);
    // --quick runs the CPU-bound, the timer and the round-trip workloads unless told otherwise.
    expect(options(['--quick']).workloads).toEqual(['cpu', 'io-timer', 'sequential']);
    expect(options(['--quick', '--workload', 'burst']).workloads).toEqual(['burst']);
    expect(options(['-h']).help).toBe(true);
  });

  it('rejects bad flags with a message naming the problem', () => {
    expect(error(['--bogus'])).toMatch(/--bogus/);
    expect(error(['--n'])).toMatch(/--n/);
    expect(error(['--n', '0'])).toMatch(/--n must be a positive integer, got "0"/);
    expect(error(['--n', '1.5'])).toMatch(/positive integer/);
    expect(error(['--n', '-3'])).toMatch(/--n/);
    expect(error(['--samples', 'many'])).toMatch(/--samples must be a positive integer/);
    expect(error(['--workers', '0'])).toMatch(/--workers/);
    expect(error(['--workers', '4-2'])).toMatch(/not a range/);
    expect(error(['--workers', 'two'])).toMatch(/--workers takes counts/);
    expect(error(['--workload', 'gpu'])).toMatch(/unknown workload "gpu"\. Known: cpu/);
    expect(error(['--backends', ','])).toMatch(/--backends needs at least one name/);
    expect(error(['--out', ' '])).toMatch(/--out/);
    expect(error(['stray'])).toMatch(/stray/);
    expect(error(['--quick=yes'])).toMatch(/--quick/);
  });

  it('documents every flag in --help', () => {
    const text = usage(2);
    for (const flag of [
      '--backends',
      '--workers',
      '--n',
      '--workload',
      '--samples',
      '--quick',
      '--peers',
      '--python',
      '--out',
      '--json',
      '--help',
    ]) {
      expect(text).toContain(flag);
    }
  });
});

describe('the CLI', () => {
  const run = (...argv: string[]) =>
    spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8' });

  it('exits with 2 and a clear message on a bad flag', () => {
    const result = run('--workers', 'lots');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/bench: --workers takes counts/);
    expect(result.stderr).toMatch(/--help/);
    expect(result.stdout).toBe('');
  });

  it('exits with 2 on an unknown backend, listing the known ones', () => {
    const result = run('--backends', 'inline,carrier-pigeon');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /unknown backend "carrier-pigeon"\. Known: inline, worker-threads/,
    );
  });

  it('prints help on stdout and exits with 0', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: pnpm bench/);
  });
});
