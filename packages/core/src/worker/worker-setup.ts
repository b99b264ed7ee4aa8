/**
 * The worker side of a worker's life around its tasks: the `initializer` run once after the
 * task module loads (with the host's `initArgs`), the `teardown` run on a polite stop within
 * its grace, and the heap reading behind `recycleAtMemoryMb` and `stats().heapGrowth`. Shared
 * by core's worker runtime and the BullMQ worker node.
 */
import { getHeapStatistics } from 'node:v8';

type AnyFn = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The export named `name` as a function; a `TypeError` saying what the module exports if not. */
function exportedFunction(tasks: Readonly<Record<string, unknown>>, name: string, role: string) {
  const fn = tasks[name];
  if (typeof fn === 'function') return fn as AnyFn;
  const names = Object.keys(tasks);
  throw new TypeError(
    `The ${role} "${name}" is not a function the task module exports (it exports ${
      names.length ? names.map((n) => `"${n}"`).join(', ') : 'no functions'
    }).`,
  );
}

/**
 * Runs the initializer `name(...args)`. Returns `undefined` when it finished synchronously, a
 * promise when it returned one (settling with it); throws what it threw, or a `TypeError` when
 * `name` is not an exported function.
 */
export function runInitializer(
  tasks: Readonly<Record<string, unknown>>,
  name: string,
  args: readonly unknown[],
): Promise<void> | undefined {
  const value = exportedFunction(tasks, name, 'initializer')(...args);
  if (!isThenable(value)) return undefined;
  return Promise.resolve(value).then(() => undefined);
}

/**
 * Runs the teardown `name()` and resolves once it settled or `timeoutMs` passed, whichever is
 * first. Never rejects: a teardown's failure must not keep its worker from ending.
 */
export function runTeardown(
  tasks: Readonly<Record<string, unknown>>,
  name: string,
  timeoutMs: number,
): Promise<void> {
  let value: unknown;
  try {
    value = exportedFunction(tasks, name, 'teardown')();
  } catch {
    return Promise.resolve();
  }
  if (!isThenable(value)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    Promise.resolve(value).then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/** The V8 heap in use by this isolate (this thread or process), in bytes. */
export function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}
