/**
 * The host side of the process backends (child_process, cluster): one forked `ChildProcess`
 * as the scheduler's {@link WorkerHandle}, its messages carried by the data channel
 * (`channel.ts`) rather than Node's IPC.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { TransportExit, WorkerEvents, WorkerHandle } from '../wire/transport.js';
import { HOST_TO_WORKER_FD, WORKER_TO_HOST_FD } from './channel.js';
import { decodeFrameBody, encodeFrame } from './frame-codec.js';
import { createFrameReader } from './frame-reader.js';
import { createSocketFrameWriter } from './frame-writer.js';

/**
 * Longest wait, after a worker exited, for its data channel (and forwarded output pipes) to
 * reach their end: a grandchild that inherited them could hold them open.
 */
const DRAIN_LIMIT_MS = 1_000;

/** Options of {@link wrapChildProcess}. */
export interface ChildProcessHandleOptions {
  /**
   * Copy the child's stdout/stderr pipes into this process's `process.stdout`/`process.stderr`
   * (the child was spawned with those as `'pipe'`); its exit is reported once they have ended.
   */
  readonly forwardOutput?: boolean;
}

/**
 * Wraps a forked child process, spawned with `processSpawnSettings`' stdio (the data channel
 * at fds 3 and 4, IPC after it) and running core's worker runtime through `createProcessPort`, as a
 * {@link WorkerHandle}:
 *
 * - `send` encodes the message at once, so it throws synchronously when the message cannot be
 *   serialized; messages sent in one turn go out in one write at its end. Messages to a child
 *   whose channel is already closed are dropped (its exit, which follows, settles what it held);
 * - `terminate` is SIGKILL;
 * - `ref`/`unref` cover the process, its channels and forwarded pipes, so an idle worker never
 *   keeps the host alive;
 * - `events.exit` fires exactly once: after the child's exit and the end of its data channel
 *   (so after every message it wrote), or when it could not be spawned. Node reaps the child
 *   before its 'exit' event, so no zombie is left.
 *
 * @throws TypeError when the child has no data channel at fds 3 and 4.
 */
export function wrapChildProcess(
  child: ChildProcess,
  events: WorkerEvents,
  options: ChildProcessHandleOptions = {},
): WorkerHandle {
  const input = child.stdio[HOST_TO_WORKER_FD] as Socket | null | undefined;
  const output = child.stdio[WORKER_TO_HOST_FD] as Socket | null | undefined;
  if (!input || !output) {
    // A spawn that failed early (EMFILE) sets up no pipes; its 'error' follows.
    if (child.pid === undefined) return failedSpawn(child, events);
    child.kill('SIGKILL');
    throw new TypeError(
      `wrapChildProcess: the child has no data channel at fds ${HOST_TO_WORKER_FD} and ${WORKER_TO_HOST_FD}; spawn it with processSpawnSettings().stdio.`,
    );
  }
  const forward = options.forwardOutput === true;
  const pipes = [child.stdout, child.stderr, input, output].filter((p) => p != null) as Socket[];
  if (forward) {
    child.stdout?.pipe(process.stdout, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
  }

  let reported = false;
  /** Why the host gave up on the channel (a frame it could not decode), reported at exit. */
  let failure: unknown;
  const report = (exit: TransportExit): void => {
    if (reported) return;
    reported = true;
    events.exit(failure === undefined ? exit : { ...exit, error: failure });
  };

  const reader = createFrameReader((body) => {
    let message: unknown;
    try {
      message = decodeFrameBody(body);
    } catch (error) {
      failure ??= error;
      child.kill('SIGKILL');
      return;
    }
    events.message(message);
  });
  output.on('data', (chunk: Buffer) => {
    if (failure === undefined) reader.push(chunk);
  });
  output.on('error', () => {});
  // EPIPE when the child died: its 'exit' settles everything. Read to the end, so it closes.
  input.on('error', () => {});
  input.resume();
  const writer = createSocketFrameWriter(input);

  // Messages a task sends with `process.send` arrive here; the pool ignores unbranded ones.
  child.on('message', (message: unknown) => events.message(message));
  child.on('error', (error) => {
    // No pid: the spawn itself failed (a bad cwd or execPath), and no 'exit' will follow.
    // Otherwise a write to a dying child failed: its 'exit' follows and settles everything.
    if (child.pid === undefined) report({ exitCode: null, signal: null, error });
  });
  child.once('exit', (exitCode, signal) => {
    const exit: TransportExit = { exitCode, signal };
    // 'close' comes once the data channel and output pipes have ended: every message the child
    // wrote has been read. Bounded, in case a grandchild inherited them and keeps them open.
    const timer = setTimeout(() => report(exit), DRAIN_LIMIT_MS);
    child.once('close', () => {
      clearTimeout(timer);
      report(exit);
    });
  });

  return {
    id: child.pid ?? -1,
    send(message) {
      // Encode first: a message that cannot be sent must throw here, synchronously.
      const frame = encodeFrame(message);
      if (input.destroyed) return;
      writer.write(frame);
    },
    terminate() {
      child.kill('SIGKILL');
    },
    ref() {
      child.ref();
      child.channel?.ref();
      for (const pipe of pipes) pipe.ref?.();
    },
    unref() {
      child.unref();
      child.channel?.unref();
      for (const pipe of pipes) pipe.unref?.();
    },
  };
}

/** The handle of a child whose spawn failed before its pipes were set up. */
function failedSpawn(child: ChildProcess, events: WorkerEvents): WorkerHandle {
  child.once('error', (error) => events.exit({ exitCode: null, signal: null, error }));
  return { id: -1, send() {}, terminate() {}, ref() {}, unref() {} };
}
