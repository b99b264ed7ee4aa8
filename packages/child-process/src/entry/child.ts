/** Child-process entry: maps the IPC channel onto core's worker runtime. */
import { createProcessPort, startWorkerRuntime, takeWorkerInit } from '@manyhands/core/worker';

if (typeof process.send !== 'function') {
  throw new Error(
    '@manyhands/child-process: the worker entry must be started by its executor (child_process.fork).',
  );
}
startWorkerRuntime(createProcessPort(), takeWorkerInit(process.env));
