/**
 * The worker side of the `niceIncrement` option: a worker lowers its own CPU priority as it
 * starts, so that on a busy machine the host's thread (which hands out the work and receives
 * the results) is scheduled before the workers whenever it has something to do.
 *
 * Raising a nice value needs no privilege, and cannot be undone without one: a worker does it
 * once, for itself. On Linux every thread has its own nice value: a worker thread changes only
 * its own, a worker process changes each of its threads (those it starts later inherit it). On
 * other systems a worker process changes its process's priority, and a worker thread, which
 * cannot be told apart there, keeps the host's.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** The highest nice value, the lowest priority (POSIX). */
const LOWEST_PRIORITY = 19;

/** Linux thread ids of what lowering this worker's priority must reach. */
function linuxThreadIds(): number[] {
  if (isMainThread) return readdirSync('/proc/self/task').map(Number);
  // `/proc/thread-self` links to `<pid>/task/<tid>` of the calling thread.
  return [Number(readlinkSync('/proc/thread-self').split('/').pop())];
}

function lower(id: number, increment: number): void {
  setPriority(id, Math.min(LOWEST_PRIORITY, getPriority(id) + increment));
}

/**
 * Makes this worker `increment` nice levels lower in priority than it is now (capped at the
 * lowest). Returns whether it did: `false` where the system gives a worker thread no priority
 * of its own, or refused. Never throws: a worker at the host's priority still works.
 */
export function lowerWorkerPriority(increment: number): boolean {
  if (!(increment > 0)) return false;
  try {
    if (process.platform === 'linux') {
      for (const id of linuxThreadIds()) {
        try {
          lower(id, increment);
        } catch {
          // A thread that ended meanwhile.
        }
      }
      return true;
    }
    if (!isMainThread) return false;
    lower(process.pid, increment);
    return true;
  } catch {
    return false;
  }
}
