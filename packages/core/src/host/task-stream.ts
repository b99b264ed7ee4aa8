/**
 * The host side of `stream()` and of `onProgress`: the async iterator a caller's loop reads, fed
 * by a `Stream` job's parts, with the credit that keeps its worker at most `highWaterMark` parts
 * ahead of the loop, and the progress callback wrapper shared with `run`/`exec`.
 *
 * Credit: the worker starts with `highWaterMark` parts of credit and pulls its generator only
 * while it has some; the host grants back what the loop has read, half a window at a time. So
 * parts produced never exceed parts read plus `highWaterMark`, whatever the loop's pace.
 */

import { JobKind } from '../wire/protocol.js';
import type { JobEvents } from './job-events.js';
import type { JobSpec, Scheduler } from './scheduler.js';
import { DEFAULT_HIGH_WATER_MARK, type RunOptions } from './types.js';

/** Why a stream's job is cancelled when its loop stops reading (nobody sees this error). */
class StreamClosed extends Error {}

/**
 * The `onProgress` callback as job events: a callback that throws fails the call with that
 * error (`fail`), and no value reaches it after that.
 */
export function progressEvents(
  onProgress: ((value: unknown) => void) | undefined,
  fail: (error: unknown) => void,
): Pick<JobEvents, 'progress'> {
  if (!onProgress) return {};
  let failed = false;
  return {
    progress(value) {
      if (failed) return;
      try {
        onProgress(value);
      } catch (error) {
        failed = true;
        fail(error);
      }
    },
  };
}

/** Submits a call as an `Observed` job, whose `progress()` values reach `onProgress`. */
export function submitWithProgress(
  scheduler: Scheduler,
  spec: JobSpec,
  onProgress: (value: unknown) => void,
): Promise<unknown> {
  const full: JobSpec = {
    ...spec,
    kind: JobKind.Observed,
    events: progressEvents(onProgress, (error) => scheduler.cancelWhere((s) => s === full, error)),
  };
  return scheduler.submit(full);
}

type Waiter = {
  readonly resolve: (result: IteratorResult<unknown>) => void;
  readonly reject: (error: unknown) => void;
};

/** The iterator `stream()` returns. The job is submitted on the first `next()`. */
class TaskStream implements AsyncIterableIterator<unknown> {
  private readonly scheduler: Scheduler;
  private readonly spec: JobSpec;
  private readonly threshold: number;
  private parts: unknown[] = [];
  private head = 0;
  private started = false;
  /** The loop is done with the stream (it ended, threw, or the loop broke out). */
  private closed = false;
  private outcome: { readonly ok: boolean; readonly value: unknown } | undefined;
  /** Reads waiting for a part, in order (a caller may call `next()` before the last settled). */
  private waiters: Waiter[] = [];
  private grant: ((n: number) => void) | undefined;
  private ungranted = 0;

  constructor(
    scheduler: Scheduler,
    task: string,
    args: readonly unknown[],
    options: RunOptions | undefined,
    /** Why the call cannot start (closed executor, bad options): the first `next()` rejects. */
    private readonly refused: { readonly error: unknown } | undefined,
  ) {
    this.scheduler = scheduler;
    const window = options?.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.threshold = Math.max(1, Math.ceil(window / 2));
    const events: JobEvents = {
      ...progressEvents(options?.onProgress, (error) => this.cancel(error)),
      part: (value) => this.onPart(value),
      dispatched: (grant) => {
        this.grant = grant;
        this.ungranted = 0;
      },
    };
    this.spec = {
      kind: JobKind.Stream,
      task,
      payload: args,
      items: 1,
      credit: window,
      observed: options?.onProgress !== undefined,
      events,
      signal: options?.signal,
      timeout: options?.timeout,
      transfer: options?.transfer,
    };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (!this.started) this.start();
    if (this.waiters.length === 0) {
      if (this.head < this.parts.length) return Promise.resolve(this.take());
      if (this.closed || this.outcome) return this.end();
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  /** The loop broke out: the generator is returned in its worker (its `finally` blocks run). */
  return(): Promise<IteratorResult<unknown>> {
    this.started = true;
    if (!this.closed && !this.outcome) this.cancel(new StreamClosed());
    this.closed = true;
    this.parts = [];
    this.head = 0;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
    return Promise.resolve({ done: true, value: undefined });
  }

  private start(): void {
    this.started = true;
    if (this.refused) {
      this.outcome = { ok: false, value: this.refused.error };
      return;
    }
    this.scheduler.submit(this.spec).then(
      (value) => this.finish({ ok: true, value }),
      (error: unknown) => this.finish({ ok: false, value: error }),
    );
  }

  private cancel(error: unknown): void {
    this.scheduler.cancelWhere((spec) => spec === this.spec, error);
  }

  private onPart(value: unknown): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.consumed();
      waiter.resolve({ done: false, value });
    } else {
      this.parts.push(value);
    }
  }

  private finish(outcome: { readonly ok: boolean; readonly value: unknown }): void {
    this.outcome = outcome;
    // Every part arrived before the outcome: reads still waiting get the end (the error once).
    for (const waiter of this.waiters.splice(0)) this.end().then(waiter.resolve, waiter.reject);
  }

  /** The stream is over and every part was read: done, or the call's error once. */
  private end(): Promise<IteratorResult<unknown>> {
    const outcome = this.outcome;
    const wasClosed = this.closed;
    this.closed = true;
    if (wasClosed || !outcome) return Promise.resolve({ done: true, value: undefined });
    if (outcome.ok) return Promise.resolve({ done: true, value: outcome.value });
    return Promise.reject(outcome.value);
  }

  private take(): IteratorResult<unknown> {
    const value = this.parts[this.head];
    this.parts[this.head++] = undefined;
    if (this.head === this.parts.length) {
      this.parts = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.parts.length) {
      this.parts = this.parts.slice(this.head);
      this.head = 0;
    }
    this.consumed();
    return { done: false, value };
  }

  /** One part was read: give the worker its credit back, half a window at a time. */
  private consumed(): void {
    if (this.outcome) return;
    if (++this.ungranted >= this.threshold && this.grant) {
      const n = this.ungranted;
      this.ungranted = 0;
      this.grant(n);
    }
  }
}

/**
 * Opens the stream of task `task`'s parts. `refused` is set when the call may not start: the
 * first `next()` rejects with it, as `run` would.
 */
export function openTaskStream(
  scheduler: Scheduler,
  task: string,
  args: readonly unknown[],
  options: RunOptions | undefined,
  refused?: { readonly error: unknown },
): AsyncIterableIterator<unknown> {
  return new TaskStream(scheduler, task, args, options, refused);
}
