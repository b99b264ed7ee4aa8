/**
 * Keeps a process's event loop turning for a moment after it sent a message, so the answer is
 * read without waking a sleeping process (on many machines, VMs especially, each wake costs tens
 * of microseconds). The loop turns with `setImmediate`, so nothing is blocked: IO and timers run
 * as usual while it spins.
 *
 * Spinning only pays while both sides have a CPU. When the machine is oversubscribed, a spinning
 * process loses its turns to others and answers arrive later than if it had slept (spinning on
 * both sides then makes round trips ten times slower). An idle turn takes microseconds; after a
 * long one in which no message was handled, the spinner compares the CPU time it got with the
 * wall time that passed: well below it means it was descheduled, so it stops and spinning
 * pauses for a while. (A long turn that did use the CPU, such as a garbage collection, does not
 * count.)
 */
import { cpuUsage } from 'node:process';

/** An idle turn longer than this (ms) makes the spinner check whether it was descheduled. */
const LONG_TURN_MS = 0.1;
/** Below this share of CPU time over wall time, the spinner concludes it competes for CPUs. */
const MIN_CPU_SHARE = 0.7;
/** How long spinning pauses after that (ms). */
const PAUSE_MS = 20;

/** See {@link createIdleSpinner}. */
export interface IdleSpinner {
  /** Keeps the loop turning for the spinner's duration from now (extends a running spin). */
  keepHot(): void;
}

function cpuMs(): number {
  const usage = cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** A spinner that keeps the loop turning for `spinMs` after each `keepHot()`. */
export function createIdleSpinner(spinMs: number): IdleSpinner {
  let until = 0;
  let spinning = false;
  let pausedUntil = 0;
  let lastTurn = 0;
  /** Whether `keepHot()` was called since the last turn (a message was handled). */
  let worked = false;
  let windowWall = 0;
  let windowCpu = 0;

  const turn = (): void => {
    const now = performance.now();
    if (now - lastTurn > LONG_TURN_MS && !worked) {
      const cpu = cpuMs();
      if (cpu - windowCpu < MIN_CPU_SHARE * (now - windowWall)) {
        spinning = false;
        pausedUntil = now + PAUSE_MS;
        return;
      }
      windowWall = now;
      windowCpu = cpu;
    }
    worked = false;
    lastTurn = now;
    if (now < until) setImmediate(turn);
    else spinning = false;
  };

  return {
    keepHot() {
      const now = performance.now();
      if (now < pausedUntil) return;
      until = now + spinMs;
      worked = true;
      if (spinning) return;
      spinning = true;
      lastTurn = now;
      windowWall = now;
      windowCpu = cpuMs();
      setImmediate(turn);
    },
  };
}
