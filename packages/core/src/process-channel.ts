/**
 * Where the process backends' data channel lives: an extra stdio `'pipe'` (a Unix socketpair)
 * at a fixed file descriptor of the worker, next to Node's IPC channel, which stays for control
 * (its close tells a worker its host is gone). Shared by the host side (`process-handle.ts`,
 * `process-options.ts`) and the worker side (`process-port.ts`); imports nothing.
 */

/** The worker's file descriptor of the data channel (stdio index 3; IPC follows at 4). */
export const PROCESS_CHANNEL_FD = 3;
