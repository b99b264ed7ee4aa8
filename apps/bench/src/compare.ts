/**
 * `--compare old.json`: this run against an earlier one (before and after a change, or two
 * machines), case by case: the ratio of throughputs with an interval from both runs' sample
 * intervals. The runs are independent (no shared rounds), so the interval is the wide,
 * unpaired one: a change is called only when it clears it.
 */
import { readFile } from 'node:fs/promises';
import { formatSeconds, formatSecondsRange, formatSpeedup } from './format.js';
import { ratioOfSummaries, type Summary, summarize } from './interval.js';
import { type PlainRow, renderPlainTable } from './plain-table.js';
import type { CaseResult, MachineFacts } from './report.js';

/** What a comparison needs of a results file (older files have these too). */
export interface ComparableRun {
  readonly machine?: Partial<MachineFacts>;
  readonly cases: readonly Pick<
    CaseResult,
    'id' | 'label' | 'workers' | 'items' | 'ok' | 'samplesSeconds' | 'seconds'
  >[];
}

/** Whether a case got faster, slower, or neither clearly. */
export const Change = Object.freeze({
  Faster: 'faster',
  Slower: 'slower',
  Same: 'same',
} as const);
/** One of {@link Change}'s values. */
export type Change = (typeof Change)[keyof typeof Change];

/** One case in both runs. */
export interface CaseComparison {
  readonly id: string;
  readonly label: string;
  readonly workers: number;
  /** Seconds per pass, old and new. */
  readonly old: Summary;
  readonly new: Summary;
  /** New throughput over old: above 1 is faster now. */
  readonly speed: Summary;
  readonly change: Change;
  /** The runs used different item counts (throughputs still compare). */
  readonly itemsDiffer: boolean;
}

/** A whole comparison. */
export interface Comparison {
  readonly rows: readonly CaseComparison[];
  /** Case ids in only one of the runs, or failed in one. */
  readonly onlyOld: readonly string[];
  readonly onlyNew: readonly string[];
}

type Case = ComparableRun['cases'][number];

function samplesOf(c: Case): readonly number[] {
  return c.samplesSeconds ?? (c.seconds === undefined ? [] : [c.seconds]);
}

function throughput(c: Case): Summary {
  const s = summarize(samplesOf(c));
  return { ...s, median: c.items / s.median, low: c.items / s.high, high: c.items / s.low };
}

/** Compares every case that passed in both runs, matched by id. */
export function compareRuns(old: ComparableRun, current: ComparableRun): Comparison {
  const usable = (c: Case): boolean => c.ok && samplesOf(c).length > 0;
  const before = new Map(old.cases.filter(usable).map((c) => [c.id, c]));
  const after = current.cases.filter(usable);
  const rows: CaseComparison[] = [];
  for (const c of after) {
    const o = before.get(c.id);
    if (!o) continue;
    const speed = ratioOfSummaries(throughput(c), throughput(o));
    rows.push({
      id: c.id,
      label: c.label,
      workers: c.workers,
      old: summarize(samplesOf(o)),
      new: summarize(samplesOf(c)),
      speed,
      change: speed.low > 1 ? Change.Faster : speed.high < 1 ? Change.Slower : Change.Same,
      itemsDiffer: o.items !== c.items,
    });
  }
  const ids = new Set(after.map((c) => c.id));
  return {
    rows,
    onlyOld: [...before.keys()].filter((id) => !ids.has(id)),
    onlyNew: after.filter((c) => !before.has(c.id)).map((c) => c.id),
  };
}

/** Reads a results.json to compare with; throws a readable error when it is not one. */
export async function readComparableRun(path: string): Promise<ComparableRun> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`--compare: cannot read ${path}: ${(error as Error).message}`);
  }
  const cases = (parsed as { cases?: unknown }).cases;
  if (
    !Array.isArray(cases) ||
    !cases.every((c) => typeof c?.id === 'string' && typeof c?.items === 'number')
  ) {
    throw new Error(`--compare: ${path} is not a bench results.json (no "cases" with ids).`);
  }
  return parsed as ComparableRun;
}

const CHANGE_TEXT: Record<Change, string> = {
  faster: 'faster',
  slower: 'slower',
  same: '≈ same (within the interval)',
};

function machineText(m: Partial<MachineFacts> | undefined): string {
  if (!m) return 'unknown machine';
  return `${m.cores ?? '?'} cores · ${m.cpuModel ?? '?'} · Node ${m.node ?? '?'} · ${m.date?.slice(0, 16).replace('T', ' ') ?? '?'}`;
}

/** A few ids, and how many more (comparing one workload with a full run lists dozens). */
function someIds(ids: readonly string[], shown = 6): string {
  const more = ids.length - shown;
  return `${ids.slice(0, shown).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The comparison as a table with a heading and notes. */
export function renderComparison(
  comparison: Comparison,
  old: ComparableRun,
  current: ComparableRun,
  oldName: string,
): string {
  const rows: PlainRow[] = [];
  for (const row of comparison.rows) {
    rows.push([
      `${row.id}${row.itemsDiffer ? ' *' : ''}`,
      formatSeconds(row.old.median),
      formatSecondsRange(row.old),
      formatSeconds(row.new.median),
      formatSecondsRange(row.new),
      formatSpeedup(row.speed),
      CHANGE_TEXT[row.change],
    ]);
  }
  const lines = [
    `Compared with ${oldName}`,
    `  old: ${machineText(old.machine)}`,
    `  new: ${machineText(current.machine)}`,
    ...renderPlainTable(
      ['case', 'old s', 'old interval', 'new s', 'new interval', 'new/old speed', 'change'],
      rows,
      new Set([0, 6]),
    ),
    '  new/old speed: throughput now over then, with the interval from both runs; a change is',
    '  called only when that interval clears 1.',
  ];
  if (comparison.rows.some((r) => r.itemsDiffer)) {
    lines.push('  * the runs used different item counts: compare throughput only.');
  }
  if (comparison.onlyOld.length > 0)
    lines.push(`  only in ${oldName}: ${someIds(comparison.onlyOld)}`);
  if (comparison.onlyNew.length > 0)
    lines.push(`  only in this run: ${someIds(comparison.onlyNew)}`);
  if (comparison.rows.length === 0) lines.push('  no case ran in both.');
  return lines.join('\n');
}
