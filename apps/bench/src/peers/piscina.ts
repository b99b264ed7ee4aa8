/** Peer: piscina, as its README shows (`new Piscina({ filename })`, `run(input, { name })`). */
import { Piscina } from 'piscina';
import { PEER_TASKS_URL, type PeerEntry } from './peer.js';

/** piscina with `workers` threads. */
export const peer: PeerEntry = {
  name: 'piscina',
  create(workers) {
    const pool = new Piscina({
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
