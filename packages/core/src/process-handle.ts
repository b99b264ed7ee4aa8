/**
 * The host side of the process backends (child_process, cluster): one forked `ChildProcess`
 * as the scheduler's {@link WorkerHandle}.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { serialize } from 'node:v8';
import { createIdleSpinner } from './idle-spin.js';
import type { HostMessage } from './protocol.js';
import type { TransportExit, WorkerEvents, WorkerHandle } from './transport.js';

/** Longest wait, after a worker exited, for its forwarded output pipes to finish. */
const OUTPUT_DRAIN_LIMIT_MS = 1_000;
/**
 * How long the host keeps its event loop turning after it sent work, before it sleeps: the reply
 * is then read without the cost of waking a sleeping process. One spinner for all handles.
 */
const REPLY_SPIN_MS = 0.25;
const spinner = createIdleSpinner(REPLY_SPIN_MS);

/** Options of {@link wrapChildProcess}. */
export interface ChildProcessHandleOptions {
  /**
   * Copy the child's stdout/stderr pipes into this process's `process.stdout`/`process.stderr`
   * (the child was spawned with those as `'pipe'`); its exit is reported once they have ended.
   */
  readonly forwardOutput?: boolean;
}

/**
 * Wraps a forked child process (IPC with `serialization: 'advanced'`, running core's worker
 * runtime through `createProcessPort`) as a {@link WorkerHandle}:
 *
 * - `send` throws synchronously when the message cannot be serialized (V8's serializer runs
 *   inside `child.send`), holds messages until the worker has spoken (so it surely listens),
 *   and drops messages to a child whose channel is already closed (its exit, which follows,
 *   settles what it held);
 * - `terminate` is SIGKILL;
 * - `ref`/`unref` cover the process and its IPC channel (and forwarded pipes), so an idle
 *   worker never keeps the host alive;
 * - `events.exit` fires exactly once: on the child's exit, or when it could not be spawned.
 *   Node reaps the child before its 'exit' event, so no zombie is left.
 */
export function wrapChildProcess(
  child: ChildProcess,
  events: WorkerEvents,
  options: ChildProcessHandleOptions = {},
): WorkerHandle {
  const forward = options.forwardOutput === true;
  const pipes = [child.stdout, child.stderr].filter((p) => p != null) as unknown as Socket[];
  if (forward) {
    child.stdout?.pipe(process.stdout, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
  }

  let reported = false;
  const report = (exit: TransportExit): void => {
    if (reported) return;
    reported = true;
    events.exit(exit);
  };

  // Messages sent before the worker listens could be lost: a cluster worker's own 'message'
  // listener takes them while the entry is still loading (a plain fork queues them). Hold them
  // until the worker's first message, which it sends only once it listens.
  let held: HostMessage[] | undefined = [];
  child.on('message', (message: unknown) => {
    if (held) {
      const early = held;
      held = undefined;
      for (const m of early) if (child.connected) child.send(m);
    }
    events.message(message);
  });
  child.on('error', (error) => {
    // No pid: the spawn itself failed (a bad cwd or execPath), and no 'exit' will follow.
    // Otherwise a write to a dying child failed: its 'exit' follows and settles everything.
    if (child.pid === undefined) report({ exitCode: null, signal: null, error });
  });
  child.once('exit', (exitCode, signal) => {
    const exit: TransportExit = { exitCode, signal };
    if (!forward) {
      report(exit);
      return;
    }
    // 'close' comes once the output pipes have ended too; bounded, in case a grandchild
    // inherited them and keeps them open.
    const timer = setTimeout(() => report(exit), OUTPUT_DRAIN_LIMIT_MS);
    child.once('close', () => {
      clearTimeout(timer);
      report(exit);
    });
  });

  return {
    id: child.pid ?? -1,
    send(message) {
      if (!child.connected) return;
      if (held) {
        // Serialize now anyway: a message that cannot be sent must throw here, synchronously.
        serialize(message);
        held.push(message);
        return;
      }
      child.send(message);
      spinner.keepHot();
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
