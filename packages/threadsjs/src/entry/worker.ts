/**
 * Worker entry: core's worker runtime behind a threads.js `expose()`. The host calls `messages()`
 * once (an observable of everything the runtime posts) and `send(message)` for each message.
 */
import { createRequire } from 'node:module';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from '@manyhands/core';
import { startWorkerRuntime, type WorkerInit } from '@manyhands/core/worker';
import { requireWithoutListeners } from '../require-without-listeners.js';
import type {
  Observer,
  ThreadsObservables,
  ThreadsWorkerSide,
  WorkerApi,
} from '../threads-library.js';

if (isMainThread || !parentPort) {
  throw new Error('@manyhands/threadsjs: the worker entry must run in a worker thread.');
}
const port = parentPort;
const { init, progress } = workerData as { init: WorkerInit; progress: Int32Array };

// threads.js catches uncaught exceptions and unhandled rejections and keeps the worker alive,
// telling the host only during start-up. A crash must end the worker, as on every backend, so
// the host rejects the tasks it held instead of waiting for them forever.
const { expose } = requireWithoutListeners<ThreadsWorkerSide>(import.meta.url, 'threads/worker', [
  'uncaughtException',
  'unhandledRejection',
]);
const { Observable } = createRequire(import.meta.url)('threads/observable') as ThreadsObservables;

// threads.js posts each value of an observable from inside its callback, where a throw is
// swallowed and rethrown later. Core's runtime needs a result that cannot be cloned thrown back
// at once, so it can replace that result with a NotCloneableError: catch it at the port.
const nativePost = port.postMessage.bind(port);
let posting: { failed: boolean; error: unknown } | undefined;
port.postMessage = (value, transfer) => {
  if (!posting) return nativePost(value, transfer);
  try {
    nativePost(value, transfer);
  } catch (error) {
    posting.failed = true;
    posting.error = error;
  }
};

function post(observer: Observer<WorkerMessage>, message: WorkerMessage): void {
  const attempt = { failed: false, error: undefined as unknown };
  posting = attempt;
  try {
    observer.next(message);
  } finally {
    posting = undefined;
  }
  if (attempt.failed) throw attempt.error;
}

let started = false;
let deliver: ((message: unknown) => void) | undefined;

const api: WorkerApi = {
  // The runtime starts when the host subscribes, so nothing it posts can precede the listener.
  messages: () =>
    new Observable<WorkerMessage>((observer) => {
      if (started) throw new Error('messages() may be subscribed only once.');
      started = true;
      startWorkerRuntime(
        {
          post: (message) => post(observer, message),
          onMessage: (handler) => {
            deliver = handler;
          },
          exit: () => process.exit(0),
          progress,
        },
        init,
      );
    }),
  // The host sends only after it has subscribed to `messages()`, on the same ordered port.
  send: (message) => {
    try {
      deliver?.(message);
    } catch (error) {
      // threads.js would turn this into the reply to a call nobody awaits: make it a crash.
      queueMicrotask(() => {
        throw error;
      });
    }
  },
};
expose(api);
