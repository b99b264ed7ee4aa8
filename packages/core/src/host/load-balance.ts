/**
 * Choosing work for workers, as pure functions: which worker takes the next job, and which jobs
 * a worker that ran dry takes back from the busiest one (work stealing).
 *
 * Costs are estimated milliseconds of blocking time (see `task-estimates.ts`). A worker holds
 * at most `maxLoadMs` of estimated calls beyond its first job, so a misestimated task strands
 * little, and `maxChunkLoadMs` of `map` chunks, so it does not run dry while the host is busy;
 * stealing repairs the rest.
 */

/** A worker as the balancer sees it. */
export interface SlotView {
  /** It has loaded the module and may take jobs. */
  readonly available: boolean;
  /** Jobs it holds. */
  readonly jobs: number;
  /** Estimated blocking work it holds, ms. */
  readonly load: number;
  /** `map` chunks it holds that still need its thread (not awaiting IO). */
  readonly chunks: number;
}

/** Limits of {@link pickWorker}. */
export interface PickLimits {
  /** Most jobs a worker holds at once (`concurrency`). */
  readonly concurrency: number;
  /** Most estimated work a worker holds, beyond its first job, when the job is a call. */
  readonly maxLoadMs: number;
  /**
   * Most estimated work a worker holds, beyond its first job, when the job is a `map` chunk:
   * enough to keep it busy while the host is paused (a garbage collection of tens of ms), since
   * a worker cannot ask for more while it waits. What an estimate got wrong (a costly stretch
   * of the input) is taken back by a worker that runs dry ({@link planSteal}).
   */
  readonly maxChunkLoadMs: number;
  /** Most `map` chunks needing its thread a worker holds, whatever their estimate. */
  readonly maxChunks: number;
}

/**
 * Index of the worker that takes a job of estimated `cost` (a `map` chunk when `isChunk`): the
 * least loaded one with room, or -1 when none has room.
 */
export function pickWorker(
  slots: readonly SlotView[],
  cost: number,
  limits: PickLimits,
  isChunk = false,
): number {
  let best = -1;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as SlotView;
    if (!slot.available || slot.jobs >= limits.concurrency) continue;
    if (isChunk && slot.chunks >= limits.maxChunks) continue;
    const cap = isChunk ? limits.maxChunkLoadMs : limits.maxLoadMs;
    if (slot.jobs > 0 && slot.load + cost > cap) continue;
    const current = best < 0 ? undefined : (slots[best] as SlotView);
    if (
      !current ||
      slot.load < current.load ||
      (slot.load === current.load && slot.jobs < current.jobs)
    ) {
      best = i;
    }
  }
  return best;
}

/** A held job as the stealer sees it. */
export interface StealCandidate {
  /** 1-based position among the jobs sent to its worker. */
  readonly seq: number;
  /** Estimated blocking cost, ms (0 once it awaits IO: it has started). */
  readonly cost: number;
}

/** A possible victim: a worker and the jobs it holds. */
export interface VictimView {
  /**
   * Jobs it holds, in the order they were sent (`seq` rising, as a worker's held jobs are kept);
   * read twice, so an array or an iterable that starts over each time. A worker may hold tens
   * of thousands of tiny calls: the plan reads them in two passes, without copying or sorting.
   */
  readonly jobs: Iterable<StealCandidate>;
  /**
   * Jobs it surely started (shared memory), or, when unknown, -1: the balancer then presumes
   * the job it was sent first among those it holds is running.
   */
  readonly started: number;
}

/** A steal: take back from `victim` the jobs with positions in `(lo, hi]`. */
export interface StealPlan {
  readonly victim: number;
  readonly lo: number;
  readonly hi: number;
  /** Estimated work taken, ms. */
  readonly cost: number;
}

/**
 * What a worker that ran dry takes back: from the victim with the most unstarted estimated
 * work, a suffix of its unstarted jobs worth about half its estimated remaining work (at least
 * one job), when that is worth at least `minCostMs`. The victim keeps the job it runs.
 * Returns undefined when nothing is worth stealing.
 */
export function planSteal(
  victims: readonly VictimView[],
  minCostMs: number,
): StealPlan | undefined {
  let plan: StealPlan | undefined;
  for (let v = 0; v < victims.length; v++) {
    const victim = victims[v] as VictimView;
    // First pass: where the unstarted jobs begin (the first held job is presumed running when
    // the worker cannot tell us), the victim's whole estimated work and its unstarted part.
    let firstUnstarted = victim.started;
    let held = 0;
    let total = 0;
    let unstartedCost = 0;
    let unstarted = 0;
    for (const job of victim.jobs) {
      if (held++ === 0 && firstUnstarted < 0) firstUnstarted = job.seq;
      if (job.seq > firstUnstarted) {
        // A job awaiting IO (cost 0) has started: it is neither taken nor counted.
        if (job.cost <= 0) continue;
        unstarted++;
        unstartedCost += job.cost;
      }
      total += job.cost;
    }
    if (unstarted === 0 || (held < 2 && victim.started < 0)) continue;
    // Second pass: the longest suffix of the unstarted jobs worth at most half the work (costs
    // are positive, so suffix sums fall as the suffix starts later), and at least the last one.
    let before = 0;
    let seen = 0;
    let first: StealCandidate | undefined;
    let last: StealCandidate | undefined;
    let taken = 0;
    for (const job of victim.jobs) {
      if (job.seq <= firstUnstarted || job.cost <= 0) continue;
      seen++;
      if (!first && (unstartedCost - before <= total / 2 || seen === unstarted)) {
        first = job;
        taken = unstartedCost - before;
      }
      before += job.cost;
      last = job;
    }
    if (!first || !last || taken < minCostMs || (plan && taken <= plan.cost)) continue;
    plan = { victim: v, lo: first.seq - 1, hi: last.seq, cost: taken };
  }
  return plan;
}
