/** Registry entry: `@manyhands/threadsjs` (the adapter over threads.js 1.7.0). */
import { createThreadsJsExecutor } from '@manyhands/threadsjs';
import type { BackendEntry } from '../registry.js';

/** The threads.js adapter. */
export const backend: BackendEntry = {
  name: 'threadsjs',
  order: 40,
  parallel: true,
  available: async () => ({ ok: true }),
  create: (module, workers) => createThreadsJsExecutor(module, { workers }),
};
