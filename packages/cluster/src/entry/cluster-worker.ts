/** Cluster worker entry: maps the worker's IPC channel onto core's worker runtime. */
import cluster from 'node:cluster';
import { createProcessPort, startWorkerRuntime, takeWorkerInit } from '@manyhands/core/worker';

if (!cluster.isWorker) {
  throw new Error(
    '@manyhands/cluster: the worker entry must be started by its executor (cluster.fork).',
  );
}
startWorkerRuntime(createProcessPort(), takeWorkerInit(process.env));
