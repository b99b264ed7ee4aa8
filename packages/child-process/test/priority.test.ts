import { runPrioritySuite } from '@manyhands/test-utils';
import { createChildProcessExecutor } from '../dist/index.js';

runPrioritySuite({
  name: 'child-process',
  create: (module, options) => createChildProcessExecutor(module, options),
  workers: 'processes',
});
