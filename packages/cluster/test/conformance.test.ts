import { countChildProcesses, runConformanceSuite } from '@manyhands/test-utils';
import { createClusterExecutor } from '../dist/index.js';

runConformanceSuite({
  name: 'cluster',
  create: (module, options) => createClusterExecutor(module, options),
  isolated: true,
  liveWorkers: countChildProcesses,
  memoryLimitOptions: { maxOldGenerationSizeMb: 32 },
  script: {
    packageName: '@manyhands/cluster',
    factory: 'createClusterExecutor',
    dir: new URL('..', import.meta.url).pathname,
  },
});
