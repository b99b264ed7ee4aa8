/** Registry entry: `@manyhands/child-process`. */
import { createChildProcessExecutor } from '@manyhands/child-process';
import type { BackendEntry } from '../registry.js';

/** The child_process backend (forked processes, advanced IPC serialization). */
export const backend: BackendEntry = {
  name: 'child-process',
  order: 20,
  parallel: true,
  available: async () => ({ ok: true }),
  create: (module, workers) => createChildProcessExecutor(module, { workers }),
};
