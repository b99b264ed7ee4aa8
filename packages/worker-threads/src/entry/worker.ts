/** Worker-thread entry: maps the thread's parent port onto core's worker runtime. */
import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { startWorkerRuntime, type WorkerInit } from '@manyhands/core/worker';

if (isMainThread || !parentPort) {
  throw new Error('@manyhands/worker-threads: the worker entry must run in a worker thread.');
}
const port = parentPort;
const { init, progress } = workerData as { init: WorkerInit; progress: Int32Array };

startWorkerRuntime(
  {
    post: (message) => port.postMessage(message),
    onMessage: (handler) => port.on('message', handler),
    receive: () => receiveMessageOnPort(port),
    exit: () => process.exit(0),
    progress,
  },
  init,
);
