/**
 * threads.js 1.7.0 as the adapter sees it: the few functions it calls, described here, and the
 * library loaded for the host. threads.js's own declarations pull in the DOM lib and its
 * `exports` map has no `types`, so the adapter loads the CommonJS build with `require` and types
 * what it uses against `node:worker_threads`.
 */
import type { TransferListItem, Worker, WorkerOptions } from 'node:worker_threads';
import type { HostMessage, WorkerMessage } from '@manyhands/core';
import { requireWithoutListeners } from './require-without-listeners.js';

/** The observer threads.js's observables call. */
export interface Observer<T> {
  next(value: T): void;
  error(error: unknown): void;
}

/** Something with `subscribe`, as threads.js's observables are. */
export interface Subscribable<T> {
  subscribe(observer: Partial<Observer<T>>): { unsubscribe(): void };
}

/** The result of calling a method of a spawned thread: a promise and an observable at once. */
export type ObservablePromise<T> = PromiseLike<T> & Subscribable<T>;

/** The API the worker entry `expose()`s: a two-way pipe for core's wire protocol. */
export interface WorkerApi {
  /** Worker → host: every message core's worker runtime posts. Subscribing starts the runtime. */
  messages(): Subscribable<WorkerMessage>;
  /** Host → worker: one message for the runtime. */
  send(message: HostMessage): void;
}

/** {@link WorkerApi} as the host calls it, through threads.js's proxy. */
export interface WorkerProxy {
  messages(): ObservablePromise<WorkerMessage>;
  send(message: unknown): ObservablePromise<void>;
}

/** The host side of threads.js (`import … from 'threads'`) the adapter uses. */
export interface ThreadsHost {
  /**
   * A `node:worker_threads` `Worker` subclass. `path` is resolved relative to the file that calls
   * the constructor (even an absolute path is joined onto that file's folder) and must be JS.
   */
  readonly Worker: new (
    path: string,
    options?: WorkerOptions,
  ) => Worker;
  /** Waits for the worker's `expose()` (threads.js's init message, 10 s timeout) and proxies it. */
  spawn<T>(worker: Worker): Promise<T>;
  readonly Thread: { terminate(thread: object): Promise<void> };
  /** Marks a call argument whose listed buffers move rather than copy. */
  Transfer(payload: unknown, transferables: readonly TransferListItem[]): unknown;
}

/** The worker side of threads.js (`threads/worker`, `threads/observable`) the entry uses. */
export interface ThreadsWorkerSide {
  expose(api: WorkerApi): void;
}

/** `threads/observable`'s `Observable` (observable-fns, a zen-observable). */
export interface ThreadsObservables {
  readonly Observable: new <T>(subscriber: (observer: Observer<T>) => void) => Subscribable<T>;
}

/**
 * threads.js, loaded without the SIGINT/SIGTERM handlers it registers on load: they terminate
 * its workers and call `process.exit`, which would override the program's own signal handling,
 * and they protect nothing here (worker threads cannot outlive their process).
 */
export const threads = requireWithoutListeners<ThreadsHost>(import.meta.url, 'threads', [
  'SIGINT',
  'SIGTERM',
]);
