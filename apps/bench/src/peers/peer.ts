/**
 * Peer libraries (piscina, tinypool, workerpool, poolifier) run the same workloads for
 * comparison. Each file in this folder named in {@link PEER_NAMES} exports a {@link PeerEntry};
 * this file turns a peer's pool into a {@link Subject}, one task per item or hand-chunked.
 */
import type { Subject } from '../subject.js';

/** How a peer's pool is driven for a `map`. */
export const PeerMode = Object.freeze({
  /** One task per item, as the peers' docs show. */
  PerItem: 'per-item',
  /** Items sent in chunks of {@link PEER_CHUNK_SIZE}, by hand. */
  Chunked: 'chunked',
} as const);
/** One of {@link PeerMode}'s values. */
export type PeerMode = (typeof PeerMode)[keyof typeof PeerMode];

/** Items per task in {@link PeerMode.Chunked}. */
export const PEER_CHUNK_SIZE = 1000;

/** The peers `--peers` runs, in table order. */
export const PEER_NAMES = ['piscina', 'tinypool', 'workerpool', 'poolifier'] as const;

/** A peer's pool, reduced to what the bench calls. */
export interface PeerPool {
  /** Runs the exported task `task` of `peer-tasks.ts` on `input`. */
  run(task: string, input: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** What each peer file exports as `peer`. */
export interface PeerEntry {
  readonly name: string;
  /** A pool of exactly `workers` threads over `peer-tasks.ts`, with the library's defaults. */
  create(workers: number): PeerPool | Promise<PeerPool>;
}

/** URL of the module that exports peer `name`. */
export function peerModuleUrl(name: string): string {
  return new URL(`./${name}.js`, import.meta.url).href;
}

/** The bench's task module for peers (the bench tasks plus chunked variants). */
export const PEER_TASKS_URL = new URL('./peer-tasks.js', import.meta.url);

/** A peer's pool as a {@link Subject}, mapping one task per item or one per chunk. */
export function peerSubject(pool: PeerPool, mode: PeerMode): Subject {
  return {
    async map(task, inputs) {
      if (mode === PeerMode.PerItem) return Promise.all(inputs.map((n) => pool.run(task, n)));
      const chunks: Promise<unknown>[] = [];
      for (let at = 0; at < inputs.length; at += PEER_CHUNK_SIZE) {
        chunks.push(pool.run(`${task}Chunk`, inputs.slice(at, at + PEER_CHUNK_SIZE)));
      }
      return ((await Promise.all(chunks)) as unknown[][]).flat();
    },
    noop: () => pool.run('noop', undefined),
    close: () => pool.close(),
  };
}
