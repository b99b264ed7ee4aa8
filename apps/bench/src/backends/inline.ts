/** Registry entry: `@manyhands/inline`, the baseline every speedup is measured against. */
import { createInlineExecutor } from '@manyhands/inline';
import type { BackendEntry } from '../registry.js';

/** The inline backend: tasks run on the case process' own thread. */
export const backend: BackendEntry = {
  name: 'inline',
  order: 0,
  parallel: false,
  available: async () => ({ ok: true }),
  create: (module) => createInlineExecutor(module),
};
