/**
 * How long this thread's garbage collector has recently held it, for sizing how much `map`
 * work a worker holds. A host that keeps a big map's results (1,000,000 BigInts, say) collects
 * garbage for 30–60 ms at a time; a worker holding a couple of 3 ms chunks runs dry in each of
 * those pauses, since nobody can send it more. Measured on the article's map: each worker idle
 * 18 % of the time with about 6 ms held, under 3 % with enough held to outlast the pauses.
 * A map whose host stays responsive (small results) keeps the shallow queue, which balances a
 * skewed input best.
 */
import { PerformanceObserver } from 'node:perf_hooks';

/** A recent pause counts half as much after this long (ms). */
export const PAUSE_HALF_LIFE_MS = 2_000;

/** The longest recent pause of a series, decaying with {@link PAUSE_HALF_LIFE_MS}. */
export class PauseRecord {
  private peak = 0;
  private at = 0;

  /** A pause of `ms` ended at time `now` (ms, any clock that only rises). */
  note(ms: number, now: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    if (ms >= this.recentMs(now)) {
      this.peak = ms;
      this.at = now;
    }
  }

  /** The longest recent pause as of `now`, decayed (0 when none). */
  recentMs(now: number): number {
    if (this.peak === 0) return 0;
    const age = Math.max(0, now - this.at);
    return this.peak * 0.5 ** (age / PAUSE_HALF_LIFE_MS);
  }
}

/** This thread's garbage-collection pauses, observed while at least one user holds it. */
class HostPauses {
  private readonly record = new PauseRecord();
  private observer: PerformanceObserver | undefined;
  private users = 0;

  /** Starts observing (counted: every {@link acquire} needs one {@link release}). */
  acquire(): void {
    if (this.users++ > 0) return;
    try {
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          this.record.note(entry.duration, entry.startTime + entry.duration);
        }
      });
      observer.observe({ entryTypes: ['gc'] });
      this.observer = observer;
    } catch {
      // No observer (a restricted runtime): the queue stays shallow.
      this.observer = undefined;
    }
  }

  /** Stops observing once nobody holds it. */
  release(): void {
    if (this.users === 0 || --this.users > 0) return;
    this.observer?.disconnect();
    this.observer = undefined;
  }

  /** Records a pause of `ms` that ended now (the observer's entries come here too). */
  note(ms: number): void {
    this.record.note(ms, performance.now());
  }

  /** The longest recent garbage-collection pause, ms (0 when none, or not observed). */
  recentMs(): number {
    return this.record.recentMs(performance.now());
  }
}

/** The pauses of this thread, shared by every executor on it. */
export const hostPauses = new HostPauses();
