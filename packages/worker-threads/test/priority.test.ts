import { runPrioritySuite } from '@manyhands/test-utils';
import { createWorkerThreadsExecutor } from '../dist/index.js';

runPrioritySuite({
  name: 'worker-threads',
  create: (module, options) => createWorkerThreadsExecutor(module, options),
  workers: 'threads',
});
