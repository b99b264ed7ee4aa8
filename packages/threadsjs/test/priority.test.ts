import { runPrioritySuite } from '@manyhands/test-utils';
import { createThreadsJsExecutor } from '../dist/index.js';

runPrioritySuite({
  name: 'threadsjs',
  create: (module, options) => createThreadsJsExecutor(module, options),
  workers: 'threads',
});
