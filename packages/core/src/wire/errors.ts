/**
 * Every error manyhands itself raises: one named class per failure, each with a stable `code`.
 * A task's own thrown error is not wrapped: it reaches the caller rebuilt (see `error-codec.ts`).
 */

/**
 * A one-line description of any thrown value that never throws: `Name: message` for errors,
 * `String(value)` when that works, else the value's type. For messages (`ModuleLoadError`'s
 * reason, logs) and for host code that must describe what a task threw; getters that throw and
 * Proxies whose traps throw are read inside a `try`.
 *
 * @example
 * ```ts
 * describeThrown(new RangeError('too big')); // 'RangeError: too big'
 * describeThrown(Object.create(null));       // '[object]'
 * ```
 */
export function describeThrown(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  try {
    if (thrown instanceof Error) {
      let name = 'Error';
      try {
        const own = thrown.name;
        if (typeof own === 'string' && own) name = own;
      } catch {
        // keep 'Error'
      }
      try {
        const message = thrown.message;
        if (typeof message === 'string') return message ? `${name}: ${message}` : name;
      } catch {
        // no message to show
      }
      return name;
    }
  } catch {
    // a Proxy whose getPrototypeOf trap throws: describe it as a value
  }
  try {
    return String(thrown);
  } catch {
    return thrown === null ? 'null' : `[${typeof thrown}]`;
  }
}

/** Stable codes of manyhands' own errors. */
export const ErrorCode = Object.freeze({
  ExecutorClosed: 'ERR_MANYHANDS_CLOSED',
  ExecutorTerminated: 'ERR_MANYHANDS_TERMINATED',
  QueueFull: 'ERR_MANYHANDS_QUEUE_FULL',
  Timeout: 'ERR_MANYHANDS_TIMEOUT',
  Aborted: 'ERR_MANYHANDS_ABORTED',
  UnknownTask: 'ERR_MANYHANDS_UNKNOWN_TASK',
  ModuleLoad: 'ERR_MANYHANDS_MODULE_LOAD',
  WorkerExit: 'ERR_MANYHANDS_WORKER_EXIT',
  WorkerStart: 'ERR_MANYHANDS_WORKER_START',
  NotCloneable: 'ERR_MANYHANDS_NOT_CLONEABLE',
  /** Raised by `@manyhands/bullmq` (`RedisConnectionError`); listed here so every code is. */
  Redis: 'ERR_MANYHANDS_REDIS',
} as const);

/** One of {@link ErrorCode}'s values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Base class of every error manyhands raises itself, in core and in every backend package;
 * `code` tells them apart. These errors are never retried by a call's `retries`.
 */
export class ManyhandsError extends Error {
  /** Stable machine-readable code, one of {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** `run`/`map` was called after `close()` or `terminate()`. */
export class ExecutorClosedError extends ManyhandsError {
  constructor() {
    super(
      ErrorCode.ExecutorClosed,
      'The executor is closed: create a new executor to run more tasks.',
    );
  }
}

/** The task was still pending when `terminate()` was called. */
export class ExecutorTerminatedError extends ManyhandsError {
  constructor() {
    super(ErrorCode.ExecutorTerminated, 'The executor was terminated before this task finished.');
  }
}

/** The queue already holds `maxQueue` tasks. */
export class QueueFullError extends ManyhandsError {
  /** The configured queue bound. */
  readonly maxQueue: number;

  constructor(maxQueue: number) {
    super(
      ErrorCode.QueueFull,
      `The task queue is full (maxQueue: ${maxQueue}): wait for running tasks, or raise maxQueue.`,
    );
    this.maxQueue = maxQueue;
  }
}

/** The task ran longer than its `timeout`; a worker that could not be interrupted was replaced. */
export class TaskTimeoutError extends ManyhandsError {
  /** The task's name. */
  readonly task: string;
  /** The timeout in milliseconds. */
  readonly timeout: number;

  constructor(task: string, timeout: number) {
    super(ErrorCode.Timeout, `Task "${task}" timed out after ${timeout} ms.`);
    this.task = task;
    this.timeout = timeout;
  }
}

/** The task's `signal` was aborted; `cause` is the signal's reason. */
export class TaskAbortedError extends ManyhandsError {
  constructor(task: string, reason: unknown) {
    super(ErrorCode.Aborted, `Task "${task}" was aborted.`, { cause: reason });
  }
}

/** The task module has no exported function of that name. */
export class UnknownTaskError extends ManyhandsError {
  /** The name that was asked for. */
  readonly task: string;
  /** The task names the module does export. */
  readonly available: readonly string[];

  constructor(task: string, available: readonly string[]) {
    super(
      ErrorCode.UnknownTask,
      `Unknown task "${task}": the task module exports ${
        available.length ? available.map((n) => `"${n}"`).join(', ') : 'no functions'
      }.`,
    );
    this.task = task;
    this.available = available;
  }
}

/** The task module could not be imported in the worker; `cause` is the import's error. */
export class ModuleLoadError extends ManyhandsError {
  /** The module's URL. */
  readonly module: string;

  /** @param hint - what to do about it, when manyhands knows (a TypeScript module on Node 20). */
  constructor(module: string, cause: unknown, hint?: string) {
    const why = describeThrown(cause);
    super(
      ErrorCode.ModuleLoad,
      `The task module ${module} failed to load: ${why}${hint ? `. ${hint}` : ''}`,
      { cause },
    );
    this.module = module;
  }
}

/** Facts about how a worker ended. */
export interface WorkerExitInfo {
  /** Exit code, when the worker exited with one. */
  readonly exitCode: number | null;
  /** Signal name, when a process was killed by a signal. */
  readonly signal: string | null;
}

/** The worker running this task exited or crashed before the task finished. */
export class WorkerExitError extends ManyhandsError implements WorkerExitInfo {
  readonly exitCode: number | null;
  readonly signal: string | null;

  constructor(info: WorkerExitInfo, detail?: string, options?: { cause?: unknown }) {
    const how =
      info.signal != null ? `was killed by ${info.signal}` : `exited with code ${info.exitCode}`;
    super(
      ErrorCode.WorkerExit,
      `The worker running this task ${how}${detail ? ` (${detail})` : ''}; it has been replaced.`,
      options,
    );
    this.exitCode = info.exitCode;
    this.signal = info.signal;
  }
}

/** A worker could not be started (its entry failed before it was ready). */
export class WorkerStartError extends ManyhandsError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(ErrorCode.WorkerStart, `A worker failed to start: ${detail}`, options);
  }
}

/** An argument or result could not be copied to the other side (structured clone failed). */
export class NotCloneableError extends ManyhandsError {
  /** Where in the value the uncloneable part sits, e.g. `args[1].callback`, when found. */
  readonly path: string | undefined;

  constructor(what: string, path: string | undefined, options?: { cause?: unknown }) {
    super(
      ErrorCode.NotCloneable,
      `The ${what} cannot be cloned${path ? ` (at ${path})` : ''}: functions, symbols, ` +
        'promises and handles cannot cross to a worker.',
      options,
    );
    this.path = path;
  }
}
