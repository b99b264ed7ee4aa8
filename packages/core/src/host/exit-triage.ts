/**
 * What happens to the jobs a worker held when it dies: a pure function, so the rule is stated
 * (and tested) once. A job the worker had not started runs elsewhere; a job it had started and
 * not answered fails, since it may have been the cause (or was running when the worker died).
 */

/** A job as the triage sees it: its position in the order it was sent to the worker. */
export interface TriageJob {
  /** 1-based position among the jobs sent to this worker. */
  readonly seq: number;
}

/** What is known about the death. */
export interface ExitFacts {
  /**
   * How many of the jobs it was sent the worker had taken off its queue: from shared memory or
   * from its last message. `Infinity` when unknown (a hard death of a process): all held jobs
   * are then presumed started.
   */
  readonly started: number;
  /** Whether the failure is not the jobs' fault nor theirs to retry: every job fails with it. */
  readonly failAll: boolean;
}

/** The triage's verdict. */
export interface Triage<J extends TriageJob> {
  /** Jobs that reject (with `WorkerExitError`, or the failure that made `failAll` true). */
  readonly fail: J[];
  /** Jobs that never started: back to the pool's queue, in their original order. */
  readonly requeue: J[];
}

/** Splits the jobs a dead worker held into those that fail and those that run again. */
export function triageExit<J extends TriageJob>(held: Iterable<J>, facts: ExitFacts): Triage<J> {
  const fail: J[] = [];
  const requeue: J[] = [];
  for (const job of held) {
    if (!facts.failAll && job.seq > facts.started) requeue.push(job);
    else fail.push(job);
  }
  requeue.sort((a, b) => a.seq - b.seq);
  return { fail, requeue };
}
