import { runPrioritySuite } from '@manyhands/test-utils';
import { createClusterExecutor } from '../dist/index.js';

runPrioritySuite({
  name: 'cluster',
  create: (module, options) => createClusterExecutor(module, options),
  workers: 'processes',
});
