/**
 * The floor under the channel bench's sequential round trip: the same ping-pong of a small
 * message with no pool at all, between this process and a worker thread (a `MessagePort`) or a
 * forked process (a stdio `'pipe'`, which is a socketpair: written with `writeSync`, read into
 * one reused buffer). Both sides keep their event loop turning for 0.25 ms after each message,
 * as the pools do, and nothing is encoded (a fixed 64-byte message): what a round trip through
 * the event loop costs on each transport before any code of ours runs. (worker-threads' own
 * stack can beat its floor: while idle, it polls its port synchronously, with no event-loop
 * turn; a pipe has no such receive in Node.)
 *
 * Used by `channel-bench.ts` (`--case sequential-floor`); also runs on its own:
 *
 *   node dist/channel-floor.js [thread|pipe]
 */
import { fork } from 'node:child_process';
import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

/** Round trips timed, after this many untimed ones. */
const WARM = 5_000;
const SPIN_MS = 0.25;
const MESSAGE = Buffer.alloc(64, 1);
const SELF = fileURLToPath(import.meta.url);

/** Keeps the event loop turning for {@link SPIN_MS} after each call. */
function spinner(): () => void {
  let until = 0;
  let spinning = false;
  const turn = (): void => {
    if (performance.now() < until) setImmediate(turn);
    else spinning = false;
  };
  return () => {
    until = performance.now() + SPIN_MS;
    if (spinning) return;
    spinning = true;
    setImmediate(turn);
  };
}

/**
 * Times `count` sequential round trips (after {@link WARM} untimed ones): each `send`s the
 * message and waits for the reply that `listen` reports; mean µs per round trip.
 */
async function pingPong(
  send: () => void,
  listen: (onReply: () => void) => void,
  count: number,
): Promise<number> {
  const hot = spinner();
  let answer: (() => void) | undefined;
  listen(() => answer?.());
  const roundTrip = (): Promise<void> =>
    new Promise<void>((resolve) => {
      answer = resolve;
      send();
      hot();
    });
  for (let i = 0; i < WARM; i++) await roundTrip();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await roundTrip();
  return ((performance.now() - t0) * 1000) / count;
}

/** Mean µs of a bare round trip to a worker thread over its `MessagePort`. */
export async function threadFloor(count: number): Promise<number> {
  const worker = new Worker(SELF, { argv: ['--floor-thread'] });
  try {
    return await pingPong(
      () => worker.postMessage(MESSAGE),
      (onReply) => worker.on('message', onReply),
      count,
    );
  } finally {
    await worker.terminate();
  }
}

/** Mean µs of a bare round trip to a forked process over a stdio pipe. */
export async function pipeFloor(count: number): Promise<number> {
  const child = fork(SELF, ['--floor-pipe'], {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe', 'ipc'],
  });
  const toChild = child.stdio[3] as Socket;
  const fromChild = child.stdio[4] as Socket;
  const fd = (toChild as unknown as { _handle: { fd: number } })._handle.fd;
  try {
    return await pingPong(
      () => writeSync(fd, MESSAGE),
      (onReply) => fromChild.on('data', onReply),
      count,
    );
  } finally {
    child.kill('SIGKILL');
  }
}

if (!isMainThread && process.argv.includes('--floor-thread')) {
  const hot = spinner();
  parentPort?.on('message', (message: Buffer) => {
    parentPort?.postMessage(message);
    hot();
  });
} else if (process.argv.includes('--floor-pipe')) {
  const hot = spinner();
  new Socket({
    fd: 3,
    readable: true,
    writable: false,
    onread: {
      buffer: Buffer.allocUnsafeSlow(64 * 1024),
      callback: () => {
        writeSync(4, MESSAGE);
        hot();
        return true;
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  process.on('disconnect', () => process.exit(0));
} else if (isMainThread && process.argv[1] === SELF) {
  const which = process.argv[2];
  const count = 10_000;
  if (which !== 'pipe') console.log(`thread floor: ${(await threadFloor(count)).toFixed(1)} µs`);
  if (which !== 'thread') console.log(`pipe floor: ${(await pipeFloor(count)).toFixed(1)} µs`);
}
