/** Peer: workerpool, as its README shows (`pool(script)`, `exec(name, [input])`). */
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import type { PeerEntry } from './peer.js';

const SCRIPT = fileURLToPath(new URL('./workerpool-worker.js', import.meta.url));

/** workerpool with `workers` worker threads. */
export const peer: PeerEntry = {
  name: 'workerpool',
  create(workers) {
    const pool = workerpool.pool(SCRIPT, {
      minWorkers: workers,
      maxWorkers: workers,
      workerType: 'thread',
    });
    return {
      run: (task, input) => pool.exec(task, [input]) as Promise<unknown>,
      close: async () => {
        await pool.terminate();
      },
    };
  },
};
