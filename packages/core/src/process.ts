/**
 * `@manyhands/core/process`: the host-side pieces the process backends (child_process, cluster)
 * share: their options, the spawn settings those become, and the `WorkerHandle` over a forked
 * `ChildProcess`. Their worker side is `createProcessPort` in `@manyhands/core/worker`.
 *
 * @packageDocumentation
 */

export type { ChildProcessHandleOptions } from './process/host-handle.js';
export { wrapChildProcess } from './process/host-handle.js';
export { WORKER_INIT_ENV } from './process/init-env.js';
export type {
  ProcessOptions,
  ProcessOutput,
  ProcessSpawnSettings,
} from './process/spawn-options.js';
export {
  checkProcessOptions,
  PROCESS_OPTION_KEYS,
  processSpawnSettings,
} from './process/spawn-options.js';
