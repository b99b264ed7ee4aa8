/**
 * Choosing work for workers, as pure functions: which worker takes the next job, and which jobs
 * a worker that ran dry takes back from the busiest one (work stealing).
 *
 * Costs are estimated milliseconds of blocking time (see `task-estimates.ts`). A worker holds
 * at most `maxLoadMs` of estimated work beyond its first job, so a misestimated task strands
 * little; stealing repairs the rest.
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
  /** Most estimated work a worker holds, beyond its first job. */
  readonly maxLoadMs: number;
  /**
   * Most `map` chunks needing its thread a worker holds: a chunk is sized to keep a worker
   * busy for a while, so one running and one waiting suffice, and an estimate that is wrong
   * (a costly stretch of the input) strands at most one chunk.
   */
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
    if (slot.jobs > 0 && slot.load + cost > limits.maxLoadMs) continue;
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
  /** Jobs it holds, any order. */
  readonly jobs: readonly StealCandidate[];
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
    const jobs = [...victim.jobs].sort((a, b) => a.seq - b.seq);
    if (jobs.length < 2 && victim.started < 0) continue;
    // The first held job is presumed running when the worker cannot tell us.
    const firstUnstarted = victim.started >= 0 ? victim.started : (jobs[0] as StealCandidate).seq;
    const unstarted = jobs.filter((j) => j.seq > firstUnstarted && j.cost > 0);
    if (unstarted.length === 0) continue;
    const running = jobs.filter((j) => j.seq <= firstUnstarted);
    const total = [...running, ...unstarted].reduce((sum, j) => sum + j.cost, 0);
    // Take from the tail until about half of the victim's work is ours.
    let taken = 0;
    let from = unstarted.length;
    while (from > 0) {
      const next = unstarted[from - 1] as StealCandidate;
      if (from < unstarted.length && taken + next.cost > total / 2) break;
      taken += next.cost;
      from--;
    }
    if (taken < minCostMs || (plan && taken <= plan.cost)) continue;
    const first = unstarted[from] as StealCandidate;
    const last = unstarted[unstarted.length - 1] as StealCandidate;
    plan = { victim: v, lo: first.seq - 1, hi: last.seq, cost: taken };
  }
  return plan;
}
