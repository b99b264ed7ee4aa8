/** Registry entry: `@manyhands/worker-threads`. */
import { createWorkerThreadsExecutor } from '@manyhands/worker-threads';
import type { BackendEntry } from '../registry.js';

/** The worker_threads backend. */
export const backend: BackendEntry = {
  name: 'worker-threads',
  order: 10,
  parallel: true,
  available: async () => ({ ok: true }),
  create: (module, workers) => createWorkerThreadsExecutor(module, { workers }),
};
