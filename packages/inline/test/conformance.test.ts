import { countThreads, runConformanceSuite } from '@manyhands/test-utils';
import { createInlineExecutor } from '../dist/index.js';

runConformanceSuite({
  name: 'inline',
  create: (module, options) => createInlineExecutor(module, options),
  // Runs on the caller's thread: it cannot contain a crash or stop a sync loop.
  isolated: false,
  liveWorkers: countThreads,
  script: {
    packageName: '@manyhands/inline',
    factory: 'createInlineExecutor',
    dir: new URL('..', import.meta.url).pathname,
  },
});
