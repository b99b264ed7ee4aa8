/**
 * The host side of the inline backend: a transport whose "worker" is core's worker runtime on
 * the caller's own thread. Messages are copied with structured clone both ways, so arguments,
 * results and errors behave exactly as with the other backends.
 */
import {
  createExecutor,
  type Executor,
  type ExecutorOptions,
  type HostMessage,
  type ModuleSpecifier,
  type Transport,
  type WorkerEvents,
  type WorkerHandle,
  type WorkerInit,
  type WorkerMessage,
  type WorkerSetupOptions,
} from '@manyhands/core';
import { startWorkerRuntime } from '@manyhands/core/worker';

/** Options of {@link createInlineExecutor}: the common ones; `workers` defaults to 1. */
export type InlineOptions = ExecutorOptions;

function isPrimitive(value: unknown): boolean {
  return (
    value === null ||
    (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')
  );
}

function allPrimitive(values: readonly unknown[]): boolean {
  for (const value of values) if (!isPrimitive(value)) return false;
  return true;
}

/** A copy of a payload; arrays of primitives need none (they are never mutated downstream). */
function copyValues(values: readonly unknown[]): readonly unknown[] {
  return allPrimitive(values) ? values : structuredClone(values);
}

function copyHostMessage(message: HostMessage): HostMessage {
  if (message.k !== 'jobs') return message;
  return {
    ...message,
    jobs: message.jobs.map((job) => {
      // The common case (primitive arguments, no fold start) needs no copy at all.
      if (job.length !== 6 && allPrimitive(job[3])) return job;
      const copy = [...job] as unknown[];
      copy[3] = copyValues(job[3]);
      if (job.length === 6) copy[5] = structuredClone(job[5]);
      return copy as unknown as typeof job;
    }),
  };
}

function copyWorkerMessage(message: WorkerMessage): WorkerMessage {
  // Parts and progress are copied like results; a value that cannot be cloned throws here.
  if (message.k === 'events') return structuredClone(message);
  if (message.k !== 'results') return message;
  return {
    ...message,
    results: message.results.map((result) => {
      const value = result[2];
      if (isPrimitive(value) || (Array.isArray(value) && allPrimitive(value))) return result;
      const copy = [...result] as typeof result;
      copy[2] = structuredClone(value);
      return copy;
    }),
  };
}

class InlineTransport implements Transport {
  readonly name = 'inline';
  readonly canInterrupt = false;
  private nextId = 1;

  spawn(init: WorkerInit, events: WorkerEvents): WorkerHandle {
    let alive = true;
    let deliver: ((message: unknown) => void) | undefined;
    const end = (exitCode: number): void => {
      if (!alive) return;
      alive = false;
      setImmediate(() => events.exit({ exitCode, signal: null }));
    };
    startWorkerRuntime(
      {
        post: (message) => {
          if (!alive) return;
          const copy = copyWorkerMessage(message);
          // A macrotask, not a microtask: a long map must not starve timers and IO.
          setImmediate(() => {
            if (alive) events.message(copy);
          });
        },
        onMessage: (handler) => {
          deliver = handler;
        },
        exit: () => end(0),
        sharesThread: true,
      },
      init,
    );
    return {
      id: this.nextId++,
      send: (message) => {
        if (!alive) return;
        const copy = copyHostMessage(message);
        queueMicrotask(() => {
          if (alive) deliver?.(copy);
        });
      },
      // Code running on this thread cannot be stopped; pending async work is abandoned.
      terminate: () => end(1),
      ref: () => {},
      unref: () => {},
    };
  }
}

/**
 * Creates an executor that runs tasks on the current thread, with the same API, semantics and
 * errors as the other backends. The baseline for benchmarks, and the right choice for
 * IO-bound tasks. It cannot stop a task stuck in a synchronous loop, and a task that calls
 * `process.exit` ends the whole process.
 *
 * @example
 * ```ts
 * import { createInlineExecutor } from '@manyhands/inline';
 * const pool = createInlineExecutor<typeof import('./tasks.js')>(new URL('./tasks.js', import.meta.url));
 * console.log(await pool.run('fetchTitle', 'https://example.com'));
 * ```
 */
export function createInlineExecutor<M>(
  module: ModuleSpecifier,
  options: InlineOptions & WorkerSetupOptions<M> = {},
): Executor<M> {
  return createExecutor<M>(new InlineTransport(), module, { workers: 1, ...options });
}
