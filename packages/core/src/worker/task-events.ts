/**
 * The worker side of progress and streamed results: `progress(value)` for task modules, the
 * outbox of events (stream parts and progress values, in the order tasks produce them) that the
 * runtime posts before its results, and the drivers of `Stream` jobs, which pull an iterator only
 * while the host has granted credit. Worker code: imports nothing of the host side.
 *
 * A call's events go to its host while the call runs; once it has settled (or was cancelled) its
 * scope is closed and later `progress()` calls are dropped here, as the host drops late ones too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { findUncloneablePath } from '../wire/clone-path.js';
import { encodeThrown } from '../wire/error-codec.js';
import { NotCloneableError } from '../wire/errors.js';
import {
  BRAND,
  EventKind,
  Outcome,
  type WireEvent,
  type WireResult,
  type WorkerMessage,
} from '../wire/protocol.js';

/** Where the events of one running call go. */
interface EventScope {
  readonly id: number;
  open: boolean;
  readonly events: TaskEvents;
  /** The runtime's own context of the call (for `taskSignal()` after an await or a yield). */
  readonly context: unknown;
}

/** How a `Stream` job starts. */
export interface StreamStart {
  /** Parts it may produce before the host grants more. */
  readonly credit: number;
  /** Whether its `progress()` values are wanted (then it runs in a scope). */
  readonly observed: boolean;
  /** The runtime's context of the call. */
  readonly context: unknown;
  /** Runs one step of the generator with the call's context current (for `taskSignal()`). */
  readonly resume: <T>(step: () => T) => T;
}

/** A running `Stream` job as its driver sees it. */
interface StreamControl {
  credit: number;
  /** Why it must stop pulling: cancelled by the host (`null`), or the error to end it with. */
  stop: { readonly error: unknown } | undefined;
  wake: (() => void) | undefined;
}

/**
 * The scope of the call now running, across its awaits. Entered only for calls whose caller
 * has `onProgress` (`Observed` jobs and observed streams), and disabled whenever none is open:
 * while enabled, every promise in the worker pays for the context.
 */
const storage = new AsyncLocalStorage<EventScope>();
let openScopes = 0;

/**
 * Reports progress of the running task to its caller's `onProgress` callback (an option of
 * `run`, `exec` and `stream`). The value crosses to the host like a result (structured clone; a
 * value that cannot be cloned fails the call with `NotCloneableError`). Call it anywhere in the
 * task, before or after an `await`; outside a `run`/`stream` call (a `map` item, module scope)
 * and after the call has settled it does nothing.
 *
 * @example
 * ```ts
 * import { progress } from '@manyhands/core/worker';
 * export async function resize(files: string[]) {
 *   for (const [i, file] of files.entries()) {
 *     await resizeOne(file);
 *     progress({ done: i + 1, of: files.length });
 *   }
 * }
 * ```
 */
export function progress(value: unknown): void {
  const scope = storage.getStore();
  if (scope?.open) scope.events.add(scope.id, EventKind.Progress, value);
}

/** The runtime's context of the `run`/`stream` call whose code is running, while it runs. */
export function scopeContext(): unknown {
  const scope = storage.getStore();
  return scope?.open ? scope.context : undefined;
}

/** Gets an iterator from a stream task's return value, or throws a `TypeError` saying why not. */
function iteratorOf(task: string, source: unknown): Iterator<unknown> | AsyncIterator<unknown> {
  if (source !== null && (typeof source === 'object' || typeof source === 'function')) {
    const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const asyncIterator = s[Symbol.asyncIterator];
    if (typeof asyncIterator === 'function') return asyncIterator.call(s);
    const iterator = s[Symbol.iterator];
    if (typeof iterator === 'function') return iterator.call(s);
  }
  throw new TypeError(
    `Task "${task}" cannot be streamed: it returned ${source === null ? 'null' : typeof source}, ` +
      'not an iterable. stream() needs a generator (function* or async function*) or a task ' +
      'that returns an (async) iterable; use run() for the others.',
  );
}

/** The events of one worker runtime: scopes, the outbox, and the stream drivers. */
export class TaskEvents {
  private outbox: WireEvent[] = [];
  private readonly scopes = new Map<number, EventScope>();
  private readonly streams = new Map<number, StreamControl>();
  /** Calls whose event could not be cloned: they fail with this error. */
  private readonly failures = new Map<number, NotCloneableError>();
  private readonly schedule: () => void;

  /** @param schedule - asks the runtime to flush soon (it calls {@link TaskEvents.flush}). */
  constructor(schedule: () => void) {
    this.schedule = schedule;
  }

  /** Whether events wait to be posted. */
  get pending(): boolean {
    return this.outbox.length > 0;
  }

  /** Runs `fn` (the start of call `id`) in a scope that `progress()` reports to. */
  run<T>(id: number, fn: () => T, context?: unknown): T {
    const scope: EventScope = { id, open: true, events: this, context };
    this.scopes.set(id, scope);
    openScopes++;
    return storage.run(scope, fn);
  }

  /**
   * Starts `Stream` job `id`: calls the task (in its scope) and pulls its iterator while credit
   * lasts. Resolves to the iterator's return value once it is done; rejects with what it threw.
   */
  stream(id: number, task: string, call: () => unknown, how: StreamStart): Promise<unknown> {
    const start = () => this.drive(id, iteratorOf(task, call()), how);
    // Only an observed stream (its caller wants progress) pays for the async context.
    return how.observed ? this.run(id, start, how.context) : start();
  }

  private async drive(
    id: number,
    iterator: Iterator<unknown> | AsyncIterator<unknown>,
    how: StreamStart,
  ): Promise<unknown> {
    const control: StreamControl = { credit: how.credit, stop: undefined, wake: undefined };
    const pull = () => iterator.next();
    this.streams.set(id, control);
    try {
      for (;;) {
        while (control.credit <= 0 && !control.stop) {
          await new Promise<void>((resolve) => {
            control.wake = resolve;
          });
          control.wake = undefined;
        }
        if (control.stop) break;
        const step = await how.resume(pull);
        if (control.stop) break;
        if (step.done) return step.value;
        control.credit--;
        this.add(id, EventKind.Part, step.value);
      }
      // Cancelled, or a part could not be cloned: the generator's `finally` blocks run now.
      try {
        await iterator.return?.();
      } catch {
        // The call is over either way; its caller has its answer already.
      }
      throw control.stop.error;
    } finally {
      this.streams.delete(id);
    }
  }

  /** The host granted `n` more parts to stream `id`. */
  grant(id: number, n: number): void {
    const control = this.streams.get(id);
    if (!control || !Number.isInteger(n) || n <= 0) return;
    control.credit += n;
    control.wake?.();
  }

  /** Call `id` was cancelled: its scope closes, and a stream's generator is returned. */
  cancel(id: number): void {
    this.close(id);
    this.failures.delete(id);
    this.stopStream(id, new Error('The stream was cancelled by the host.'));
  }

  private stopStream(id: number, error: unknown): void {
    const control = this.streams.get(id);
    if (!control || control.stop) return;
    control.stop = { error };
    control.wake?.();
  }

  private close(id: number): void {
    const scope = this.scopes.get(id);
    if (!scope) return;
    scope.open = false;
    this.scopes.delete(id);
    if (--openScopes === 0) storage.disable();
  }

  /** Queues one event of call `id` and asks for a flush. */
  add(id: number, kind: EventKind, value: unknown): void {
    this.outbox.push([id, kind, value]);
    this.schedule();
  }

  /**
   * Call `id` settled with `result` (the runtime is about to queue it): its scope closes, and a
   * call whose event could not be cloned gets that error instead.
   */
  settle(result: WireResult): WireResult {
    const id = result[0];
    if (this.scopes.has(id)) this.close(id);
    const failure = this.failures.get(id);
    if (!failure) return result;
    this.failures.delete(id);
    return [id, Outcome.Threw, encodeThrown(failure), result[3], result[4]];
  }

  /**
   * Posts the queued events (before the runtime posts `results`). An event that cannot be
   * cloned ends its call with `NotCloneableError` naming where: a stream stops (its generator is
   * returned), its later events are dropped, and its result in `results` (the ones about to be
   * posted) is replaced.
   */
  flush(post: (message: WorkerMessage) => void, results: WireResult[]): void {
    const events = this.outbox;
    if (events.length === 0) return;
    this.outbox = [];
    try {
      post({ mh: BRAND, k: 'events', events });
      return;
    } catch {
      // Found below.
    }
    // One value could not be sent: send them one by one, and end the call of each one refused
    // (whether structured clone or the transport refused it: no part may vanish unnoticed).
    const failed = new Set<number>();
    for (const event of events) {
      const id = event[0];
      if (failed.has(id) || this.failures.has(id)) continue;
      try {
        post({ mh: BRAND, k: 'events', events: [event] });
      } catch (error) {
        const part = event[1] === EventKind.Part;
        const path = findUncloneablePath(event[2], part ? 'part' : 'progress');
        const failure = new NotCloneableError(part ? 'stream part' : 'progress value', path, {
          cause: error,
        });
        failed.add(id);
        this.failures.set(id, failure);
        this.stopStream(id, failure);
        const scope = this.scopes.get(id);
        if (scope) scope.open = false;
      }
    }
    for (let i = 0; i < results.length; i++) {
      const result = results[i] as WireResult;
      if (failed.has(result[0])) results[i] = this.settle(result);
    }
  }
}
