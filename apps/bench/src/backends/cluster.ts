/** Registry entry: `@manyhands/cluster`. */
import { createClusterExecutor } from '@manyhands/cluster';
import type { BackendEntry } from '../registry.js';

/** The cluster backend (cluster.fork() workers, advanced IPC serialization). */
export const backend: BackendEntry = {
  name: 'cluster',
  order: 30,
  parallel: true,
  available: async () => ({ ok: true }),
  create: (module, workers) => createClusterExecutor(module, { workers }),
};
