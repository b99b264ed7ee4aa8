import { countThreads, runConformanceSuite } from '@manyhands/test-utils';
import { createThreadsJsExecutor } from '../dist/index.js';

runConformanceSuite({
  name: 'threadsjs',
  create: (module, options) => createThreadsJsExecutor(module, options),
  isolated: true,
  transfers: true,
  liveWorkers: countThreads,
  memoryLimitOptions: {
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  },
  script: {
    packageName: '@manyhands/threadsjs',
    factory: 'createThreadsJsExecutor',
    dir: new URL('..', import.meta.url).pathname,
  },
});
