/**
 * Running one task: the call's context (its `AbortSignal`), folding with a reducer, and running
 * a `map` chunk item by item. Pure of the runtime's queue and outbox, so it reads on its own.
 */
import { scopeContext } from './task-events.js';

/** A task or reducer exported by the task module. */
export type AnyFn = (...args: unknown[]) => unknown;

/** What a running call owns: the controller behind its `taskSignal()`, made on first use. */
export interface TaskContext {
  controller: AbortController | undefined;
}

/**
 * The results arrays `runChunk` made. Nothing but the outbox holds them once a chunk is done, so
 * it may empty them after they were posted (see `WorkerPort.emptiesPosted`).
 */
const chunkResults = new WeakSet<unknown[]>();

/**
 * Empties `value` when it is a chunk's results array made by {@link runChunk} (anything else,
 * such as a value a task returned, is left alone).
 */
export function emptyChunkResults(value: unknown): void {
  if (Array.isArray(value) && chunkResults.has(value)) value.length = 0;
}

/** What one item of a chunk threw, with the item's index. */
interface ChunkFailure {
  readonly index: number;
  readonly error: unknown;
}
/** A WeakSet lookup never runs a thrown Proxy's traps, where reading a marker would. */
const chunkFailures = new WeakSet<object>();

function chunkFailure(index: number, error: unknown): ChunkFailure {
  const failure = { index, error };
  chunkFailures.add(failure);
  return failure;
}

/** The failure a chunk threw (with its item's index), or `undefined` for any other value. */
export function asChunkFailure(thrown: unknown): ChunkFailure | undefined {
  return typeof thrown === 'object' && thrown !== null && chunkFailures.has(thrown)
    ? (thrown as ChunkFailure)
    : undefined;
}

let currentContext: TaskContext | undefined;

/** Makes `context` the one `taskSignal()` sees (`undefined`: none); returns the one before. */
export function enterContext(context: TaskContext | undefined): TaskContext | undefined {
  const outer = currentContext;
  currentContext = context;
  return outer;
}

/**
 * The `AbortSignal` of the task now starting, for tasks that want to stop early when the caller
 * aborts or the timeout fires. Call it synchronously at the top of the task function; in a
 * generator task (`stream`), also right after a `yield`.
 *
 * @example
 * ```ts
 * import { taskSignal } from '@manyhands/core/worker';
 * export async function fetchPage(url: string) {
 *   const res = await fetch(url, { signal: taskSignal() });
 *   return res.text();
 * }
 * ```
 */
export function taskSignal(): AbortSignal {
  // A call observed for progress runs in a scope that outlives its awaits (`task-events.ts`).
  const context = currentContext ?? (scopeContext() as TaskContext | undefined);
  if (!context) {
    throw new Error('taskSignal() must be called synchronously at the start of a task.');
  }
  context.controller ??= new AbortController();
  return context.controller.signal;
}

/** Whether `value` is a promise or another thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Folds `values` from `start` into `acc` with `reducer`; a promise once a step returns one. */
export function fold(
  reducer: AnyFn,
  values: readonly unknown[],
  start: number,
  acc: unknown,
): unknown {
  for (let i = start; i < values.length; i++) {
    acc = reducer(acc, values[i]);
    if (isThenable(acc)) {
      const from = i + 1;
      return Promise.resolve(acc).then((a) => fold(reducer, values, from, a));
    }
  }
  return acc;
}

/**
 * Runs a chunk; sync when every item is, else a promise. Errors carry the item's index.
 * `onItem` hears of each item as it starts (so a worker's death can name the item).
 */
export function runChunk(
  fn: AnyFn,
  items: readonly unknown[],
  reducer: AnyFn | undefined,
  spread: boolean,
  onItem: (index: number) => void,
): unknown {
  const n = items.length;
  const results = new Array<unknown>(n);
  let pending: Promise<unknown>[] | undefined;
  for (let i = 0; i < n; i++) {
    let value: unknown;
    onItem(i);
    try {
      if (!spread) value = fn(items[i]);
      else if (Array.isArray(items[i])) value = fn(...(items[i] as unknown[]));
      else throw new TypeError(`starmap inputs must be argument arrays, got ${typeof items[i]}.`);
    } catch (error) {
      throw chunkFailure(i, error);
    }
    if (isThenable(value)) {
      const index = i;
      pending ??= [];
      pending.push(
        Promise.resolve(value).then(
          (v) => {
            results[index] = v;
          },
          (error: unknown) => {
            throw chunkFailure(index, error);
          },
        ),
      );
    } else {
      results[i] = value;
    }
  }
  const finish = (): unknown => {
    if (reducer) return fold(reducer, results, 1, results[0]);
    chunkResults.add(results);
    return results;
  };
  if (!pending) return finish();
  return Promise.all(pending).then(finish);
}
