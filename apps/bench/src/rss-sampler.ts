/**
 * Peak memory of a case: the sum of the resident set sizes of a process and all its
 * descendants, sampled from `/proc` (Linux). A case process' own `maxRSS` covers its threads
 * but not its child processes, which process-based backends and Python's Pool use.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** How often {@link RssSampler} samples. */
export const RSS_SAMPLE_MS = 100;

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // it ended while we looked
  }
}

/** `root` and every live descendant of it (empty where there is no `/proc`). */
export function processTree(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    const parent = parentOf(entry);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sum of the RSS of `root`'s process tree, in KiB (0 where there is no `/proc`). */
export function treeRssKb(root: number): number {
  let sum = 0;
  for (const pid of processTree(root)) sum += rssKb(pid);
  return sum;
}

/**
 * Samples a process tree's RSS while it is being measured, keeping the peak. It scans `/proc`
 * only inside {@link RssSampler.around}: a bench keeps many case processes open at once, and
 * scanning for every one of them all the time took a fifth of a core from the case measured.
 */
export class RssSampler {
  private peak = 0;

  constructor(private readonly root: number) {}

  private sample(): void {
    this.peak = Math.max(this.peak, treeRssKb(this.root));
  }

  /** Runs `work`, sampling every {@link RSS_SAMPLE_MS} and once at each end. */
  async around<T>(work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => this.sample(), RSS_SAMPLE_MS);
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
      this.sample();
    }
  }

  /** The peak seen so far, in KiB. */
  peakKb(): number {
    return this.peak;
  }
}
