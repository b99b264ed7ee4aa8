/**
 * How far Redis is: the caller times commands it sends anyway (its heartbeat, three pings when
 * it connects) and keeps the median of the last few, for `chunk-sizing.ts`.
 */

/** Samples kept: the median of the last few shrugs off one slow reply (jitter, a GC pause). */
const WINDOW = 9;

/** The round trip to Redis, as the caller measured it. */
export class RoundTripMeter {
  private readonly samples: number[] = [];
  private next = 0;

  /** Records one command's round trip in ms (ignores values that are not finite and >= 0). */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    if (this.samples.length < WINDOW) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % WINDOW;
  }

  /** The median of the recent samples, or `undefined` before the first. */
  get ms(): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
