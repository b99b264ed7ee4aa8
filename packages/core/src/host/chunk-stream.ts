/**
 * The engine of `map`, `imap` and `mapReduce`: reads the input a chunk at a time, submits each
 * chunk as one job, keeps a bounded number of chunks in flight (backpressure), and hands back
 * finished chunks in input order or as they complete.
 */
import { setMaxListeners } from 'node:events';
import { NotCloneableError, TaskAbortedError } from '../wire/errors.js';
import type { JobKind } from '../wire/protocol.js';
import { chunkSize } from './chunking.js';
import { type InputSource, inputSource } from './input-source.js';
import type { Scheduler } from './scheduler.js';
import { CHUNK_ITEM_INDEX, INPUT_INDEX } from './symbols.js';
import type { MapOptions } from './types.js';

/** Chunks in flight per worker of an IO-bound task, before its wait factor (`inFlightLimit`). */
const IO_WINDOW_PER_WORKER = 4;
/** The most a map's in-flight window grows for an IO-bound task (see `inFlightLimit`). */
const MAX_WAIT_FACTOR = 256;
/**
 * Finished chunks an ordered stream keeps waiting behind an unfinished one, as a multiple of
 * its in-flight window: a slow chunk at the head does not stop the others from running, but
 * what piles up behind it stays bounded.
 */
const ORDERED_BACKLOG_FACTOR = 8;

/**
 * Which input of a `map`/`imap`/`mapReduce` threw `error`, when known.
 *
 * @example
 * ```ts
 * try { await executor.map('parse', lines); }
 * catch (error) { console.error(`line ${failedInputIndex(error)} failed`, error); }
 * ```
 */
export function failedInputIndex(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const index = (error as { [INPUT_INDEX]?: unknown })[INPUT_INDEX];
  return typeof index === 'number' ? index : undefined;
}

/** A finished chunk: its position in the input and its results (or folded value). */
export interface FinishedChunk {
  readonly offset: number;
  readonly count: number;
  readonly value: unknown;
}

interface Entry {
  readonly offset: number;
  readonly count: number;
  done: boolean;
  value: unknown;
}

/** What a stream runs. */
export interface StreamSpec {
  readonly task: string;
  readonly kind: typeof JobKind.Chunk | typeof JobKind.SpreadChunk | typeof JobKind.ChunkReduce;
  readonly reducer?: string;
}

function checkPositiveInteger(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`Option "${name}" must be a number.`);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Option "${name}" must be an integer >= 1, got ${value}.`);
  }
}

/** One running map. Create with {@link openChunkStream}; always call `end()`. */
export class ChunkStream {
  private readonly scheduler: Scheduler;
  private readonly spec: StreamSpec;
  private readonly source: InputSource;
  private readonly options: MapOptions;
  private readonly ordered: boolean;
  private readonly maxInFlight: number;
  /** Items of the input, when its length is known at the start. */
  private readonly total: number | undefined;
  private readonly controller = new AbortController();
  private readonly window: Entry[] = [];
  private readonly finished: Entry[] = [];
  private offset = 0;
  private exhausted = false;
  private filling = false;
  private failure: { error: unknown } | undefined;
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly onUserAbort: (() => void) | undefined;

  constructor(
    scheduler: Scheduler,
    spec: StreamSpec,
    inputs: unknown,
    options: MapOptions,
    ordered: boolean,
  ) {
    checkPositiveInteger('chunkSize', options.chunkSize);
    checkPositiveInteger('maxInFlight', options.maxInFlight);
    this.scheduler = scheduler;
    this.spec = spec;
    this.source = inputSource(inputs);
    this.total = this.source.remaining;
    this.options = options;
    this.ordered = ordered;
    this.maxInFlight = options.maxInFlight ?? scheduler.workerCount * IO_WINDOW_PER_WORKER;
    // Every chunk in flight listens on this signal: more than 10 is normal, not a leak.
    setMaxListeners(0, this.controller.signal);
    scheduler.streamStarted();
    const signal = options.signal;
    if (signal) {
      this.onUserAbort = () =>
        this.fail(new TaskAbortedError(spec.task, signal.reason), { interrupt: true });
      if (signal.aborted) this.onUserAbort();
      else signal.addEventListener('abort', this.onUserAbort, { once: true });
    }
    void this.fill();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Ends the stream with `error`; `interrupt` cancels running chunks too (else they finish). */
  private fail(error: unknown, how: { interrupt: boolean }): void {
    if (this.failure) return;
    this.failure = { error };
    const mine = (spec: { signal?: AbortSignal }) => spec.signal === this.controller.signal;
    if (how.interrupt) this.controller.abort(error);
    else this.scheduler.dropQueued(mine, error);
    this.source.close();
    this.notify();
  }

  /** Chunks submitted and not finished. */
  private pending = 0;

  private inFlight(): number {
    return this.window.length + this.finished.length;
  }

  /**
   * Chunks allowed in flight. Until a first chunk has been timed, one per worker. After that
   * `maxInFlight`; when the caller left it unset, as many as every worker may hold now and one
   * more each (more while the host pauses long: see `host-pauses.ts`), or, when the task awaits
   * IO (a job takes several times its blocking time), a few per worker times that factor, since
   * waiting chunks hold no CPU.
   */
  private inFlightLimit(perItemMs: number | undefined): number {
    if (this.options.maxInFlight !== undefined) return this.options.maxInFlight;
    const workers = this.scheduler.workerCount;
    if (perItemMs === undefined && this.options.chunkSize === undefined) {
      return Math.min(this.maxInFlight, workers);
    }
    const factor = Math.min(MAX_WAIT_FACTOR, this.scheduler.waitFactor(this.spec.task));
    const held = workers * this.scheduler.chunkWindowPerWorker();
    return Math.max(held, Math.ceil(this.maxInFlight * factor));
  }

  /** Reads and submits chunks until the window is full or the input ends. */
  private async fill(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      while (!this.exhausted && !this.failure && !this.ended) {
        const perItemMs = this.scheduler.estimate(this.spec.task);
        // Until a first chunk has been timed, keep only one chunk per worker in flight.
        const limit = this.inFlightLimit(perItemMs);
        if (this.pending >= limit) break;
        // In order, finished chunks wait behind an unfinished head without holding a worker:
        // a bounded backlog of them (none beyond the caller's own `maxInFlight`).
        const backlog =
          this.ordered && this.options.maxInFlight === undefined ? ORDERED_BACKLOG_FACTOR : 1;
        if (this.inFlight() >= limit * backlog) break;
        const size = chunkSize({
          fixed: this.options.chunkSize,
          perItemMs,
          remaining: this.source.remaining,
          total: this.total,
          workers: this.scheduler.transport.chunkWorkers ?? this.scheduler.workerCount,
          targetMs: this.scheduler.chunkTargetMs,
          floorMs: this.scheduler.transport.chunkFloorMs,
          waitFactor: this.scheduler.waitFactor(this.spec.task),
        });
        const read = this.source.read(size);
        const items = Array.isArray(read) ? read : await read;
        if (items.length === 0) {
          this.exhausted = true;
          break;
        }
        if (this.failure || this.ended) break;
        this.submit(items);
      }
    } catch (error) {
      this.fail(error, { interrupt: true });
    } finally {
      this.filling = false;
      this.notify();
    }
  }

  private submit(items: unknown[]): void {
    const entry: Entry = {
      offset: this.offset,
      count: items.length,
      done: false,
      value: undefined,
    };
    this.offset += items.length;
    this.window.push(entry);
    this.pending++;
    this.scheduler
      .submit(
        {
          kind: this.spec.kind,
          task: this.spec.task,
          payload: items,
          items: items.length,
          reducer: this.spec.reducer,
          signal: this.controller.signal,
          timeout: this.options.timeout,
          retries: this.options.retries,
        },
        { internal: true },
      )
      .then(
        (value) => {
          this.pending--;
          entry.done = true;
          entry.value = value;
          if (!this.ordered) {
            this.window.splice(this.window.indexOf(entry), 1);
            this.finished.push(entry);
          }
          this.notify();
        },
        (error: unknown) => {
          this.pending--;
          // After a first failure, the other chunks' rejections carry nothing new.
          if (this.failure) return;
          this.fail(locateFailure(error, entry), { interrupt: false });
        },
      );
  }

  /** The next finished chunk, or `undefined` when every chunk has been handed out. */
  async next(): Promise<FinishedChunk | undefined> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      let entry: Entry | undefined;
      if (this.ordered) {
        const head = this.window[0];
        if (head?.done) entry = this.window.shift();
      } else {
        entry = this.finished.shift();
      }
      if (entry) {
        void this.fill();
        return { offset: entry.offset, count: entry.count, value: entry.value };
      }
      if (this.exhausted && this.inFlight() === 0) return undefined;
      if (!this.filling) void this.fill();
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /**
   * Ends the stream: stops reading input and cancels its chunks still queued or running (a
   * consumer that broke out of `imap` wants no more of them).
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.options.signal && this.onUserAbort) {
      this.options.signal.removeEventListener('abort', this.onUserAbort);
    }
    if (!this.exhausted || this.pending > 0) {
      this.source.close();
      const mine = (spec: { signal?: AbortSignal }) => spec.signal === this.controller.signal;
      const error = new TaskAbortedError(this.spec.task, 'the map ended');
      // After a failure the chunks running elsewhere may finish; a consumer that stopped
      // early wants none of them.
      if (this.failure) this.scheduler.dropQueued(mine, error);
      else this.scheduler.cancelWhere(mine, error);
    }
    this.scheduler.streamEnded();
  }
}

const CHUNK_PATH = /^(inputs|result)\[(\d+)\]/;

/**
 * The error of a failed chunk, told which input it concerns: the failing item's index within
 * the chunk (from the worker, or from the path of a `NotCloneableError`) made absolute.
 */
function locateFailure(
  error: unknown,
  entry: { readonly offset: number; readonly count: number },
): unknown {
  if (error === null || typeof error !== 'object') return error;
  let index: number | undefined;
  if (CHUNK_ITEM_INDEX in error)
    index = (error as { [CHUNK_ITEM_INDEX]: number })[CHUNK_ITEM_INDEX];
  if (error instanceof NotCloneableError && error.path) {
    const match = CHUNK_PATH.exec(error.path);
    if (match) {
      const within = Number(match[2]);
      // A chunk's result is one array, so `result[k]` is item k; inputs likewise.
      if (within < entry.count) {
        index = within;
        const path = `${match[1]}[${entry.offset + within}]${error.path.slice(match[0].length)}`;
        try {
          Object.defineProperty(error, 'path', { value: path, configurable: true });
          Object.defineProperty(error, 'message', {
            value: error.message.replace(error.path, path),
            configurable: true,
            writable: true,
          });
        } catch {
          // Leave the relative path.
        }
      }
    }
  }
  if (index !== undefined) {
    try {
      Object.defineProperty(error, INPUT_INDEX, {
        value: entry.offset + index,
        configurable: true,
      });
    } catch {
      // A frozen error value: no index.
    }
  }
  return error;
}

/** Options of {@link openChunkStream}. */
export interface StreamOrder {
  /** Hand chunks back in input order (`imap`), or as they finish (`imap` unordered, `map`). */
  readonly ordered: boolean;
}

/** Validates and starts a stream (see {@link ChunkStream}). */
export function openChunkStream(
  scheduler: Scheduler,
  spec: StreamSpec,
  inputs: unknown,
  options: MapOptions | undefined,
  order: StreamOrder,
): ChunkStream {
  scheduler.assertOpen();
  scheduler.assertQueueRoom();
  scheduler.assertTask(spec.task);
  if (spec.reducer !== undefined) scheduler.assertTask(spec.reducer);
  return new ChunkStream(scheduler, spec, inputs, options ?? {}, order.ordered);
}
