/** Peer: tinypool, as its README shows (`new Tinypool({ filename })`, `run(input, { name })`). */
import { Tinypool } from 'tinypool';
import { PEER_TASKS_URL, type PeerEntry } from './peer.js';

/** tinypool with `workers` threads. */
export const peer: PeerEntry = {
  name: 'tinypool',
  create(workers) {
    const pool = new Tinypool({
      filename: PEER_TASKS_URL.href,
      minThreads: workers,
      maxThreads: workers,
    });
    return {
      run: (task, input) => pool.run(input, { name: task }),
      close: () => pool.destroy(),
    };
  },
};
