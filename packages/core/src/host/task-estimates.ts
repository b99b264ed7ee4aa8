/**
 * What the pool has learned about each task from finished jobs: blocking time per item (how
 * much CPU a job holds its worker for) and wall time over blocking time (how long it waits on
 * IO besides). Moving averages, so a map whose cost changes as it runs is followed.
 */

/** Weight of the newest sample. */
const EWMA = 0.3;

/** One task's estimate. */
export interface Estimate {
  /** Blocking milliseconds per item. */
  blockPerItem: number;
  /** Wall time over blocking time of one job: about 1 for CPU-bound tasks, more when they await IO. */
  wallPerBlock: number;
  /** Jobs whose wall time has been learned. */
  waitSamples: number;
}

/** Per-task estimates. */
export class TaskEstimates {
  private readonly byTask = new Map<string, Estimate>();

  /** The estimate of `task`, once a job of it has been timed. */
  get(task: string): Estimate | undefined {
    return this.byTask.get(task);
  }

  /**
   * Learns blocking time per item. A sample far from the estimate is taken at once rather than
   * averaged in: far above, an expensive stretch of a map (underestimating strands work on one
   * worker); far below, the end of a first sample slowed by cold code (overestimating makes
   * chunks too small to keep IO-bound maps busy).
   */
  learnBlock(task: string, perItem: number): Estimate {
    const estimate = this.byTask.get(task);
    if (!estimate) {
      const fresh = { blockPerItem: perItem, wallPerBlock: 1, waitSamples: 0 };
      this.byTask.set(task, fresh);
      return fresh;
    }
    if (perItem > 3 * estimate.blockPerItem || perItem < estimate.blockPerItem / 3) {
      // A jump (a costly stretch of the input, or a first sample slowed by cold code).
      estimate.blockPerItem = perItem;
    } else estimate.blockPerItem += EWMA * (perItem - estimate.blockPerItem);
    return estimate;
  }

  /** Learns wall time over blocking time from one job's `runMs` and `blockMs`. */
  learnWait(task: string, runMs: number, blockMs: number): void {
    const estimate = this.byTask.get(task);
    if (!estimate) return;
    const ratio = Math.max(1, runMs / Math.max(blockMs, 1e-3));
    // The first sample is taken as it is: starting from 1 would read an IO-bound task as
    // CPU-bound for its first several jobs.
    if (estimate.waitSamples++ === 0) estimate.wallPerBlock = ratio;
    else estimate.wallPerBlock += EWMA * (ratio - estimate.wallPerBlock);
  }
}
