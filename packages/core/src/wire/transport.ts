/**
 * The one contract a backend implements: how to start a worker, send it a message, hear from
 * it, and stop it. Scheduling, chunking, errors, cancellation and stats live in core.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { HostMessage, WorkerInit } from './protocol.js';

/** How a worker ended, as the transport saw it. */
export interface TransportExit {
  /** Exit code, when there was one. */
  readonly exitCode: number | null;
  /** Signal name, when a process was killed by one. */
  readonly signal: string | null;
  /** The error the worker died of, when the transport reports one (an uncaught exception, OOM). */
  readonly error?: unknown;
}

/** Callbacks a transport calls for one worker. */
export interface WorkerEvents {
  /** A message arrived from the worker (the pool ignores anything not branded as its own). */
  message(message: unknown): void;
  /**
   * The worker is gone. Called exactly once, whatever the cause, and only after every message
   * the worker managed to send has been passed to `message` (the scheduler decides from them
   * which of the worker's jobs had finished or started).
   */
  exit(exit: TransportExit): void;
}

/** One running worker, as the pool sees it. */
export interface WorkerHandle {
  /** Sends a message. Throws synchronously when the message cannot be cloned. */
  send(message: HostMessage, transfer?: readonly TransferListItem[]): void;
  /** Stops the worker now (kill); `exit` follows. */
  terminate(): void;
  /** Lets the worker keep the host process alive (it holds work). */
  ref(): void;
  /** Stops the worker from keeping the host process alive (it is idle). */
  unref(): void;
  /** Shared "jobs started" counter, when the transport can share memory with the worker. */
  readonly progress?: Int32Array;
  /** A process id or thread id, for diagnostics and leak checks. */
  readonly id: number;
}

/** A way of running workers: one per backend package. */
export interface Transport {
  /** The backend's name, e.g. `'worker-threads'`. */
  readonly name: string;
  /**
   * Whether `terminate()` really stops a task stuck in a loop. False for the inline backend,
   * which runs tasks on the caller's own thread.
   */
  readonly canInterrupt: boolean;
  /**
   * Worker time one `map` chunk should take, in ms (default: `TARGET_CHUNK_MS`, sized for
   * local IPC). A transport whose messages cost far more (a network round trip through a queue)
   * asks for bigger chunks so that cost stays small; a worker then holds about two chunks' worth.
   */
  readonly chunkTargetMs?: number;
  /**
   * How many workers really share a `map`'s work, for splitting its tail (default: the
   * executor's `workers`). A transport whose workers are virtual lanes over fewer machines says
   * how many machines there are, so a map is not cut into far more chunks than they need.
   */
  readonly chunkWorkers?: number;
  /**
   * Least worker time of a CPU-bound `map` chunk while the map's tail is split (default: none,
   * chunks may shrink to one item). A transport whose every batch waits out a network round trip
   * keeps tail chunks worth a few round trips: a tail of tiny chunks would leave its machines
   * idle between batches.
   */
  readonly chunkFloorMs?: number;
  /**
   * When set, after sending a batch whose reply is expected within this many ms (tiny tasks),
   * the host keeps its event loop turning that long, so the reply is read without waking from
   * sleep (see `idle-spin.ts`). Batches of longer work never spin: the host would only take CPU
   * from the workers. Leave unset where it cannot help (same thread, a network hop).
   */
  readonly replySpinMs?: number;
  /**
   * How long a worker may take to become ready when the caller sets no `startTimeout`
   * (default 30,000 ms). `Infinity` for transports whose workers are nodes that may come later.
   */
  readonly defaultStartTimeoutMs?: number;
  /** Starts one worker that runs core's worker runtime with `init`. May throw. */
  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle;
}
