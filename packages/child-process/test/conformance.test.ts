import { countChildProcesses, runConformanceSuite } from '@manyhands/test-utils';
import { createChildProcessExecutor } from '../dist/index.js';

runConformanceSuite({
  name: 'child-process',
  create: (module, options) => createChildProcessExecutor(module, options),
  isolated: true,
  liveWorkers: countChildProcesses,
  memoryLimitOptions: { maxOldGenerationSizeMb: 32 },
  script: {
    packageName: '@manyhands/child-process',
    factory: 'createChildProcessExecutor',
    dir: new URL('..', import.meta.url).pathname,
  },
});
