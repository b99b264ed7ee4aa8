import { countThreads, runConformanceSuite } from '@manyhands/test-utils';
import { createWorkerThreadsExecutor } from '../dist/index.js';

runConformanceSuite({
  name: 'worker-threads',
  create: (module, options) => createWorkerThreadsExecutor(module, options),
  isolated: true,
  transfers: true,
  liveWorkers: countThreads,
  memoryLimitOptions: {
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  },
  script: {
    packageName: '@manyhands/worker-threads',
    factory: 'createWorkerThreadsExecutor',
    dir: new URL('..', import.meta.url).pathname,
  },
});
