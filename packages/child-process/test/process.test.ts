import { runProcessBackendSuite } from '@manyhands/test-utils';
import { createChildProcessExecutor } from '../dist/index.js';

runProcessBackendSuite({
  name: 'child-process',
  create: (module, options) => createChildProcessExecutor(module, options),
  script: {
    packageName: '@manyhands/child-process',
    factory: 'createChildProcessExecutor',
    dir: new URL('..', import.meta.url).pathname,
  },
});
