/**
 * The worker side of the process backends (child_process, cluster): maps the data channel
 * (`channel.ts`: frames read from fd 3, written synchronously to fd 4) onto core's worker
 * runtime, flushes every reply and the worker's own output before it exits, and makes sure a
 * worker never outlives its host (Node's IPC channel closes when the host goes).
 */
import { type OnReadOpts, Socket, type SocketConstructorOpts } from 'node:net';
import { Worker } from 'node:worker_threads';
import { createIdleSpinner } from '../wire/idle-spin.js';
import type { WorkerPort } from '../worker/port.js';
import { HOST_TO_WORKER_FD, WORKER_TO_HOST_FD } from './channel.js';
import { decodeFrameBody, encodeFrame } from './frame-codec.js';
import { createFrameReader } from './frame-reader.js';
import { createSyncFrameWriter } from './frame-writer-sync.js';

/**
 * How long a worker keeps its event loop turning after it replied, before it sleeps, so the
 * host's next message is read without waking a sleeping process. Processes have no synchronous
 * receive to poll (worker_threads do); see `idle-spin.ts`.
 */
const IDLE_SPIN_MS = 0.25;
/** Longest wait for buffered output before an exiting worker exits anyway. */
const EXIT_FLUSH_LIMIT_MS = 2_000;
/**
 * Longest wait for a busy host to take a `postSync` message before the worker gives up on it.
 * (Replies `post` accepted are written at exit however long that takes: only a dead host, whose
 * end of the pipe fails the write, ends that wait.)
 */
const SYNC_WRITE_LIMIT_MS = 2_000;
/**
 * Most bytes of replies a worker holds while the host does not read (a pipe holds ~200 kB; a
 * host pauses tens of ms for its GC), before `post` waits for the host. Below it the worker goes
 * on with its next job, and its replies follow as the pipe drains.
 */
const MAX_HELD_BYTES = 4 * 1024 * 1024;
/** How often a worker that holds replies and has nothing else to do offers them again, in ms. */
const HELD_RETRY_MS = 1;
/** How often the orphan watchdog checks that the host is still the parent. */
const ORPHAN_CHECK_MS = 500;

/**
 * Runs on its own thread, so it still acts while a task holds the main thread in a loop: once
 * the process has been re-parented (its host died) on two checks in a row, it kills the
 * process. A responsive worker has long exited through its 'disconnect' handler by then.
 */
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
let strikes = 0;
setInterval(() => {
  strikes = process.ppid === workerData.ppid ? 0 : strikes + 1;
  if (strikes >= 2) process.kill(process.pid, 'SIGKILL');
}, workerData.interval);
`;

function startOrphanWatchdog(ppid: number): void {
  try {
    const watchdog = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { ppid, interval: ORPHAN_CHECK_MS },
      stdout: true,
      stderr: true,
    });
    watchdog.unref();
    // A watchdog that cannot run must not take the worker down with it.
    watchdog.on('error', () => {});
  } catch {
    // Same: without a watchdog, the 'disconnect' handler still ends a responsive orphan.
  }
}

/** Calls `done` once stdout and stderr have written everything queued so far. */
function flushOutput(done: () => void): void {
  let pending = 2;
  const one = (): void => {
    if (--pending === 0) done();
  };
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength === 0 || stream.destroyed) one();
    else stream.write('', one);
  }
}

/** Bytes of the buffer the data channel is read into (reused by every read). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Opens the data channel: a socket reads fd 3 into one reused buffer and hands each read to
 * `onChunk` (no stream machinery, no buffer per read); writes go straight to fd 4,
 * synchronously. A socket that never reads or writes holds fd 4, which makes it non-blocking,
 * so a write to a full pipe returns rather than blocks and can be bounded.
 */
function openChannel(onChunk: (chunk: Buffer) => void): { input: Socket; output: Socket } {
  try {
    const options: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd: HOST_TO_WORKER_FD,
      readable: true,
      writable: false,
      onread: {
        buffer: Buffer.allocUnsafeSlow(READ_BUFFER_BYTES),
        // `true`: keep reading (`false` would pause the socket).
        callback: (bytes, buffer) => {
          onChunk((buffer as Buffer).subarray(0, bytes));
          return true;
        },
      },
    };
    const input = new Socket(options);
    const output = new Socket({ fd: WORKER_TO_HOST_FD, readable: false, writable: false });
    output.unref();
    return { input, output };
  } catch (cause) {
    throw new Error(
      `A manyhands process worker needs its data channel at fds ${HOST_TO_WORKER_FD} and ${WORKER_TO_HOST_FD}: start it through its executor.`,
      { cause },
    );
  }
}

/**
 * The {@link WorkerPort} of a worker process started by a process backend (`child_process.fork`
 * or `cluster.fork` with `processSpawnSettings`' stdio: the data channel at fds 3 and 4, an IPC
 * channel after it).
 *
 * Messages travel as frames on the data channel, written synchronously: when `post` returns,
 * the message is in the pipe, or — while the host is not reading — held in the worker (up to
 * 4 MB; beyond that `post` waits) and written as the pipe drains and, at the latest, when the
 * process exits, so one posted right before `process.exit` still reaches the host. `post`
 * throws synchronously when a message cannot be cloned. `postSync` does the same but waits
 * at most 2 s for a host that does not read, for `process.on('exit')` handlers and
 * `uncaughtExceptionMonitor`. Besides that the port: exits only once stdout/stderr are flushed
 * after a graceful stop; exits when the host closes either channel or dies; and starts a small watchdog thread
 * that kills the process if the host dies while a task holds the main thread.
 *
 * @example
 * ```ts
 * import { createProcessPort, startWorkerRuntime, takeWorkerInit } from '@manyhands/core/worker';
 * startWorkerRuntime(createProcessPort(), takeWorkerInit(process.env));
 * ```
 */
export function createProcessPort(): WorkerPort {
  if (typeof process.send !== 'function' || !process.connected) {
    throw new Error(
      'A manyhands process worker needs an IPC channel: start it with child_process.fork or cluster.fork.',
    );
  }
  let handler: ((message: unknown) => void) | undefined;
  /** Messages read before the runtime registered its handler. */
  let early: unknown[] = [];
  const spinner = createIdleSpinner(IDLE_SPIN_MS);
  // A frame read in place lies in the reused read buffer: its views are copied out.
  const reader = createFrameReader((body, inChunk) => {
    const message = decodeFrameBody(body, inChunk);
    if (handler) handler(message);
    else early.push(message);
    spinner.keepHot();
  });
  const { input, output } = openChannel((chunk) => reader.push(chunk));
  const writer = createSyncFrameWriter(WORKER_TO_HOST_FD);
  const ppid = process.ppid;
  let watchdogStarted = false;
  let exitScheduled = false;

  const exitNow = (): void => {
    if (exitScheduled) return;
    exitScheduled = true;
    flushOutput(() => process.exit(0));
    setTimeout(() => process.exit(0), EXIT_FLUSH_LIMIT_MS);
  };

  // Replies held for a full pipe still go out, whatever way the process ends (a host that died
  // ends the wait: the write fails with EPIPE).
  process.on('exit', () => writer.flush());
  let retry: NodeJS.Timeout | undefined;
  const offerHeld = (): void => {
    retry = undefined;
    if (!writer.flush(0)) holdBack();
  };
  /** Offers the held replies again soon (the next `post` offers them first anyway). */
  const holdBack = (): void => {
    if (retry !== undefined) return;
    retry = setTimeout(offerHeld, HELD_RETRY_MS);
    retry.unref();
  };
  // The host is gone (or let go of us): nothing we compute can be delivered any more.
  process.once('disconnect', exitNow);
  input.once('end', exitNow);
  input.on('error', exitNow);
  output.on('error', () => {});

  const started = (): void => {
    spinner.keepHot();
    if (!watchdogStarted) {
      // After the first message ('ready'), so it costs nothing on the way to readiness.
      watchdogStarted = true;
      setImmediate(startOrphanWatchdog, ppid);
    }
  };

  return {
    emptiesPosted: true,
    post(message) {
      // Throws synchronously when the message cannot be serialized: the runtime relies on it.
      const frame = encodeFrame(message);
      // A full pipe holds the reply back rather than the worker, up to a bound.
      if (!writer.write(frame, writer.pendingBytes < MAX_HELD_BYTES ? 0 : undefined)) holdBack();
      started();
    },
    postSync(message) {
      // `post` writes synchronously too; this one gives up on a host that stops reading.
      writer.write(encodeFrame(message), SYNC_WRITE_LIMIT_MS);
      started();
    },
    onMessage(onMessage) {
      handler = onMessage;
      const queued = early;
      early = [];
      for (const message of queued) onMessage(message);
    },
    exit() {
      writer.flush();
      exitNow();
    },
  };
}
