import { runProcessBackendSuite } from '@manyhands/test-utils';
import { createClusterExecutor } from '../dist/index.js';

runProcessBackendSuite({
  name: 'cluster',
  create: (module, options) => createClusterExecutor(module, options),
  script: {
    packageName: '@manyhands/cluster',
    factory: 'createClusterExecutor',
    dir: new URL('..', import.meta.url).pathname,
  },
});
