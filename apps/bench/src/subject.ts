/**
 * What a case measures, whatever runs it: a manyhands executor or a peer library's pool seen
 * through the same three calls.
 */
import type { Executor } from '@manyhands/core';
import type { MapTask } from './workloads.js';

/** The bench task module's type. */
export type BenchTasks = typeof import('./tasks.js');

/** The calls a case makes on whatever it measures. */
export interface Subject {
  /** Applies `task` to every input; results in input order. */
  map(task: MapTask, inputs: readonly number[]): Promise<readonly unknown[]>;
  /** One round trip of a no-op task. */
  noop(): Promise<unknown>;
  /** Stops every worker. */
  close(): Promise<void>;
}

/** A manyhands executor as a {@link Subject}: `map` is the executor's own `map`. */
export function executorSubject(executor: Executor<BenchTasks>): Subject {
  return {
    map: (task, inputs) => executor.map(task, inputs),
    noop: () => executor.run('noop'),
    close: () => executor.close(),
  };
}
