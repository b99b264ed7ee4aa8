/**
 * Where the process backends' data channel lives: two extra stdio `'pipe'`s of the worker
 * (Unix socketpairs), one per direction, next to Node's IPC channel, which stays for control
 * (its close tells a worker its host is gone). One pipe per direction, because a socket that
 * fails a write (the worker died) is destroyed with whatever it had not read yet: the host's
 * writes must not cost it the worker's last messages. Shared by the host side
 * (`host-handle.ts`, `spawn-options.ts`) and the worker side (`worker-port.ts`).
 */

/** The worker's file descriptor for messages from the host (stdio index 3). */
export const HOST_TO_WORKER_FD = 3;
/** The worker's file descriptor for messages to the host (stdio index 4; IPC follows at 5). */
export const WORKER_TO_HOST_FD = 4;
