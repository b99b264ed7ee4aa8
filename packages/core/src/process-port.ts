/**
 * The worker side of the process backends (child_process, cluster): maps the IPC channel
 * (`process.send` / `process.on('message')`) onto core's worker runtime, flushes every reply and
 * the worker's own output before it exits, and makes sure a worker never outlives its host.
 */
import { Worker } from 'node:worker_threads';
import { createIdleSpinner } from './idle-spin.js';
import type { WorkerPort } from './worker-runtime.js';

/**
 * How long a worker keeps its event loop turning after it replied, before it sleeps, so the
 * host's next message is read without waking a sleeping process. Processes have no synchronous
 * receive to poll (worker_threads do); see `idle-spin.ts`.
 */
const IDLE_SPIN_MS = 0.25;
/** Longest wait for unsent replies and buffered output before an exiting worker exits anyway. */
const EXIT_FLUSH_LIMIT_MS = 2_000;
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

/**
 * The {@link WorkerPort} of a worker process started with an IPC channel (`child_process.fork`
 * or `cluster.fork`, with `serialization: 'advanced'` so messages are structured clones).
 *
 * Besides carrying messages it: exits only once every reply has been written and stdout/stderr
 * are flushed; exits when the channel closes (the host closed it or died); and starts a small
 * watchdog thread that kills the process if the host dies while a task holds the main thread.
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
  const send = process.send.bind(process);
  const ppid = process.ppid;
  let unsent = 0;
  let exiting = false;
  let watchdogStarted = false;
  let exitScheduled = false;

  const exitNow = (): void => {
    if (exitScheduled) return;
    exitScheduled = true;
    flushOutput(() => process.exit(0));
    setTimeout(() => process.exit(0), EXIT_FLUSH_LIMIT_MS);
  };

  const onSent = (): void => {
    if (--unsent === 0 && exiting) exitNow();
  };

  const spinner = createIdleSpinner(IDLE_SPIN_MS);

  // The host is gone (or let go of us): nothing we compute can be delivered any more.
  process.once('disconnect', () => {
    exiting = true;
    exitNow();
  });

  return {
    post(message) {
      // Throws synchronously when the message cannot be serialized: the runtime relies on it.
      send(message, undefined, undefined, onSent);
      unsent++;
      spinner.keepHot();
      if (!watchdogStarted) {
        // After the first message ('ready'), so it costs nothing on the way to readiness.
        watchdogStarted = true;
        setImmediate(startOrphanWatchdog, ppid);
      }
    },
    onMessage(handler) {
      process.on('message', (message: unknown) => {
        handler(message);
        spinner.keepHot();
      });
    },
    exit() {
      if (exiting) return;
      exiting = true;
      if (unsent === 0) exitNow();
    },
  };
}
