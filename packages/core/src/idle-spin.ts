/**
 * Keeps a process's event loop turning for a moment after it sent a message, so the answer is
 * read without waking a sleeping process (on many machines, VMs especially, each wake costs tens
 * of microseconds). The loop turns with `setImmediate`, so nothing is blocked: IO and timers run
 * as usual while it spins.
 *
 * Spinning only pays while both sides have a CPU. When the machine is oversubscribed, a spinning
 * process loses its turns to others and answers arrive later than if it had slept; so a spin that
 * finds it got much less CPU time than wall time stops, and spinning pauses for a while.
 */
import { cpuUsage } from 'node:process';

/** A turn of the loop longer than this (ms) makes the spinner check whether it was descheduled. */
const LONG_TURN_MS = 0.1;
/** Below this share of CPU time over wall time, the spinner concludes it is competing for CPUs. */
const MIN_CPU_SHARE = 0.7;
/** How long spinning pauses after it was found to compete for CPUs (ms). */
const BACKOFF_MS = 20;

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
  let startWall = 0;
  let startCpu = 0;

  const turn = (): void => {
    const now = performance.now();
    if (now - lastTurn > LONG_TURN_MS) {
      // Either work ran in between (CPU time grew with wall time), or we were off the CPU.
      const wall = now - startWall;
      if (wall > 2 * LONG_TURN_MS) {
        const cpu = cpuMs();
        if (cpu - startCpu < MIN_CPU_SHARE * wall) {
          spinning = false;
          pausedUntil = now + BACKOFF_MS;
          return;
        }
        startWall = now;
        startCpu = cpu;
      }
    }
    lastTurn = now;
    if (now < until) setImmediate(turn);
    else spinning = false;
  };

  return {
    keepHot() {
      const now = performance.now();
      if (now < pausedUntil) return;
      until = now + spinMs;
      if (spinning) return;
      spinning = true;
      lastTurn = now;
      startWall = now;
      startCpu = cpuMs();
      setImmediate(turn);
    },
  };
}
