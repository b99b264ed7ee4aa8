/**
 * CPU time, to tell how much of the machine other processes took while the bench measured:
 * the machine's busy time (every core) minus the bench's own (its process and the case's
 * process tree). Linux only for the tree (`/proc`); elsewhere {@link treeCpuMs} is undefined.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { processTree } from './rss-sampler.js';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const MS_PER_TICK = 10;

/** Busy time of every core together since boot, in ms. */
export function machineBusyMs(): number {
  let busy = 0;
  for (const cpu of cpus()) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  return busy;
}

function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid … utime is field 14, stime 15: the 12th and 13th after ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return 0; // it ended while we looked
  }
}

/** CPU time of `root` and its live descendants, in ms; undefined without `/proc`. */
export function treeCpuMs(root: number): number | undefined {
  const tree = processTree(root);
  if (tree.length <= 1 && processCpuMs(root) === 0) return undefined;
  let sum = 0;
  for (const pid of tree) sum += processCpuMs(pid);
  return sum;
}

/** This process' CPU time so far (every thread), in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Adds up how much CPU others took while cases ran. */
export class ForeignCpuMeter {
  private foreignMs = 0;
  private wallMs = 0;
  private known = true;

  /**
   * Measures `work` (one sample of the case whose process tree is rooted at `pid`) and adds
   * the CPU time nobody of ours used in that window.
   */
  async around<T>(pid: number | undefined, work: () => Promise<T>): Promise<T> {
    const tree0 = pid === undefined ? undefined : treeCpuMs(pid);
    const own0 = ownCpuMs();
    const busy0 = machineBusyMs();
    const t0 = performance.now();
    const result = await work();
    const wall = performance.now() - t0;
    const busy = machineBusyMs() - busy0;
    const own = ownCpuMs() - own0;
    const tree1 = pid === undefined ? undefined : treeCpuMs(pid);
    if (tree0 === undefined || tree1 === undefined) this.known = false;
    else {
      this.foreignMs += Math.max(0, busy - own - (tree1 - tree0));
      this.wallMs += wall;
    }
    return result;
  }

  /** Other processes' CPU, in cores on average over the measured time; undefined if unknown. */
  foreignCores(): number | undefined {
    if (!this.known || this.wallMs === 0) return undefined;
    return this.foreignMs / this.wallMs;
  }
}
