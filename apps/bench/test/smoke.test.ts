import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../dist/args.js';
import { PEER_NAMES } from '../dist/peers/peer.js';
import { loadRegistry } from '../dist/registry.js';
import { writeResults } from '../dist/results-file.js';
import { runBench } from '../dist/runner.js';
import { renderTables } from '../dist/table.js';
import { verdicts } from '../dist/verdict.js';
import { WORKLOAD_IDS } from '../dist/workloads.js';

function options(argv: string[]) {
  const parsed = parseArgs(argv, 2);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.options;
}

describe('a smoke run with a tiny N', () => {
  it('runs every workload on every available backend, checks results and writes the files', async () => {
    const registry = await loadRegistry();
    const report = await runBench(
      options(['--n', '40', '--samples', '1', '--workers', '1,2']),
      registry,
    );
    const failures = report.cases.filter((c) => !c.ok).map((c) => `${c.id}: ${c.error}`);
    expect(failures).toEqual([]);
    // Every case sampled once after its warm-up, in one interleaved round per workload.
    for (const c of report.cases) {
      expect(c.samplesSeconds, c.id).toHaveLength(1);
      expect(c.rounds, c.id).toEqual([1]);
      expect(c.warmupSeconds, c.id).toBeGreaterThan(0);
    }
    expect(report.workloads?.cpu?.stoppedBy).toBe('fixed');
    for (const { entry } of registry.backends) {
      for (const workload of WORKLOAD_IDS) {
        const cases = report.cases.filter(
          (c) => c.subject.name === entry.name && c.workload === workload,
        );
        expect(cases.length, `${entry.name} ${workload}`).toBeGreaterThan(0);
        for (const c of cases) {
          expect(c.seconds).toBeGreaterThan(0);
          expect(c.peakRssMb).toBeGreaterThan(0);
          expect(c.speedup).toBeGreaterThan(0);
        }
      }
    }
    const wt = report.cases.filter(
      (c) => c.subject.name === 'worker-threads' && c.workload === 'cpu',
    );
    expect(wt.map((c) => c.workers)).toEqual([1, 2]);
    expect(report.cases.find((c) => c.workload === 'sequential')?.latencyMs?.p99).toBeGreaterThan(
      0,
    );

    const tables = renderTables(report);
    expect(tables).toContain('CPU-bound');
    expect(tables).toContain('IO-bound: map(factorial after an HTTP GET');
    expect(verdicts(report)).toHaveLength(WORKLOAD_IDS.length);

    const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const written = await writeResults(report, out);
    const json = JSON.parse(readFileSync(written.json, 'utf8'));
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.node).toBe(process.version);
    expect(json.cases).toHaveLength(report.cases.length);
    expect(json.cases[0].samplesSeconds).toHaveLength(1);
    expect(json.workloads.cpu.noise.cores).toBe(report.machine.cores);
    expect(json.verdicts).toEqual(verdicts(report));
    expect(readFileSync(written.chart, 'utf8')).toContain('</svg>');
  }, 300_000);

  it('runs the peers, one task per item and hand-chunked', async () => {
    const report = await runBench(
      options([
        '--peers',
        '--backends',
        'inline',
        '--workload',
        'cpu,io-file,sequential',
        '--n',
        '30',
        '--samples',
        '1',
        '--workers',
        '1',
      ]),
      await loadRegistry(),
    );
    expect(report.cases.filter((c) => !c.ok).map((c) => `${c.id}: ${c.error}`)).toEqual([]);
    for (const name of PEER_NAMES) {
      const modes = report.cases
        .filter((c) => c.subject.name === name && c.workload === 'cpu')
        .map((c) => c.subject.mode);
      expect(modes, name).toEqual(['per-item', 'chunked']);
      expect(report.cases.some((c) => c.subject.name === name && c.workload === 'sequential')).toBe(
        true,
      );
    }
  }, 300_000);

  it.skipIf(spawnSync('python3', ['--version']).status !== 0)(
    "runs the article's Python Pool.map on the same inputs",
    async () => {
      const report = await runBench(
        options([
          '--python',
          '--backends',
          'inline',
          '--workload',
          'cpu',
          '--n',
          '30',
          '--samples',
          '2',
          '--workers',
          '1,2',
        ]),
        await loadRegistry(),
      );
      const python = report.cases.filter((c) => c.subject.kind === 'python');
      expect(python.map((c) => [c.workers, c.ok, c.error])).toEqual([
        [1, true, undefined],
        [2, true, undefined],
      ]);
      expect(report.machine.python).toMatch(/^Python 3/);
    },
    60_000,
  );
});
