/** Peer: poolifier, as its README shows (`new FixedThreadPool(n, file)`, `execute(data, name)`). */
import { fileURLToPath } from 'node:url';
import { FixedThreadPool } from 'poolifier';
import type { PeerEntry } from './peer.js';

const WORKER = fileURLToPath(new URL('./poolifier-worker.js', import.meta.url));

/**
 * poolifier 5.3.2's `destroy()` sometimes never settles after a burst of calls (seen here in
 * about half the runs). The measurement is complete by then; the case process is killed with
 * its process group anyway, so stop waiting after this long.
 */
const DESTROY_DEADLINE_MS = 5_000;

function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.stderr.write(`poolifier: destroy() still pending after ${ms} ms; moving on\n`);
      resolve();
    }, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** poolifier's fixed pool of `workers` threads. */
export const peer: PeerEntry = {
  name: 'poolifier',
  create(workers) {
    const pool = new FixedThreadPool(workers, WORKER);
    return {
      run: (task, input) => pool.execute(input, task),
      close: () => settleWithin(pool.destroy(), DESTROY_DEADLINE_MS),
    };
  },
};
