/** Writes a run's results: `results.json` (the report) and `chart.svg`, into the out folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderChart } from './chart.js';
import type { BenchReport } from './report.js';
import { verdicts } from './verdict.js';

/** Where the files went. */
export interface WrittenResults {
  readonly json: string;
  readonly chart: string;
}

/** The report as results.json holds it: with the verdicts, as pretty JSON. */
export function resultsJson(report: BenchReport): string {
  return `${JSON.stringify({ ...report, verdicts: verdicts(report) }, null, 2)}\n`;
}

/** Writes `results.json` and `chart.svg` into `outDir` (created if missing). */
export async function writeResults(report: BenchReport, outDir: string): Promise<WrittenResults> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'results.json');
  const chart = join(dir, 'chart.svg');
  await writeFile(json, resultsJson(report));
  await writeFile(chart, renderChart(report));
  return { json, chart };
}
