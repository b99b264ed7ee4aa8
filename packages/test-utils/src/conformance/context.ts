/** The conformance suite's shared parts: the target contract, and the context each topic gets. */
import type { Executor } from '@manyhands/core';
import { fixtureUrl } from '../fixture-urls.js';
import type * as Tasks from '../fixtures/tasks.js';

/** The task module type of the fixtures. */
export type FixtureTasks = typeof Tasks;

/** How the suite drives one backend. */
export interface ConformanceTarget {
  /** Backend name, used in test titles. */
  readonly name: string;
  /** Creates an executor of this backend. */
  create<M>(module: URL | string, options?: Record<string, unknown>): Executor<M>;
  /**
   * Whether workers are isolated from the caller: a crash, `process.exit` or a stuck loop
   * affects only the worker. False for the inline backend.
   */
  readonly isolated: boolean;
  /** Counts this backend's live workers in the OS (threads or child processes). */
  liveWorkers(): number;
  /** Whether `transfer` moves buffers (worker_threads). */
  readonly transfers?: boolean;
  /** Options under which `exhaustMemory` kills the worker quickly, when the backend has limits. */
  readonly memoryLimitOptions?: Record<string, unknown>;
  /** For the "a script exits by itself" test: the package to import and its factory's name. */
  readonly script?: {
    readonly packageName: string;
    readonly factory: string;
    readonly dir: string;
  };
  /** Workers to use in tests (default 2). */
  readonly workers?: number;
  /**
   * Whether the workers are processes the executor does not own: worker nodes on other
   * machines, started by their own CLI (the BullMQ backend). Such an executor cannot stop a
   * task stuck in a sync loop on a node (it can only stop waiting for it), cannot see a node's
   * exit code nor replace it, and cannot reload a node's module. With it set, the suite skips
   * the cases that need an owned worker: "an infinite loop is stopped by timeout", "abort
   * during a sync loop", the `crashes` cases and "recycleAfter". The backend's own tests cover
   * what happens instead (a killed node's jobs run again on another node).
   */
  readonly remoteWorkers?: boolean;
}

/** The fixture task module every case runs. */
export const TASKS = fixtureUrl('tasks');

/** `Promise.allSettled`, typed. */
export async function settleAll<T>(promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(promises);
}

/** What every conformance topic receives: the target, and how to make an executor of it. */
export interface SuiteContext {
  readonly target: ConformanceTarget;
  /** Workers per executor in the cases (the target's, default 2). */
  readonly workers: number;
  /** The executor starts, interrupts and replaces its workers itself. */
  readonly ownsWorkers: boolean;
  /** Makes an executor of the target (closed after each case). */
  make<M = FixtureTasks>(options?: Record<string, unknown>, module?: URL | string): Executor<M>;
}
