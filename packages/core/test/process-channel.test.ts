import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wrapChildProcess } from '../dist/process/host-handle.js';
import { processSpawnSettings } from '../dist/process/spawn-options.js';
import type { HostMessage } from '../src/wire/protocol.js';
import type { TransportExit, WorkerHandle } from '../src/wire/transport.js';

const WORKER = fileURLToPath(new URL('./fixtures/channel-worker.mjs', import.meta.url));
const { stdio, serialization } = processSpawnSettings({}, { module: 'x', concurrency: 1 });

interface Started {
  readonly handle: WorkerHandle;
  readonly messages: unknown[];
  /** Resolves at exit with what had arrived by then. */
  readonly exited: Promise<{ exit: TransportExit; messages: unknown[] }>;
  /** Resolves with the next message. */
  next(): Promise<unknown>;
}

/** Forks the fixture worker with the process backends' stdio and wraps it as a handle. */
function start(scenario: string): Started {
  const child = fork(WORKER, [scenario], { stdio, serialization, execArgv: [] });
  const messages: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  let onExit: (value: { exit: TransportExit; messages: unknown[] }) => void = () => {};
  const exited = new Promise<{ exit: TransportExit; messages: unknown[] }>((resolve) => {
    onExit = resolve;
  });
  const handle = wrapChildProcess(child, {
    message(message) {
      messages.push(message);
      waiting.shift()?.(message);
    },
    exit(exit) {
      onExit({ exit, messages: [...messages] });
    },
  });
  return {
    handle,
    messages,
    exited,
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** The channel carries any structured-clone value; tests send plain objects as host messages. */
const send = (handle: WorkerHandle, value: unknown): void => handle.send(value as HostMessage);

describe('process channel', () => {
  it('carries structured clones both ways: BigInt, Map, Set, Date, typed arrays, errors with cause', async () => {
    const worker = start('echo');
    expect(await worker.next()).toStrictEqual({ ready: true });
    const value = {
      big: 2n ** 100n,
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['set', new Set([1, 2])],
      ]),
      date: new Date(0),
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([0.5, -1, Number.NaN]),
      buffer: new ArrayBuffer(8),
      error: new RangeError('outer', { cause: new Error('inner') }),
      nested: [undefined, null, -0, Number.POSITIVE_INFINITY],
    };
    send(worker.handle, value);
    const echoed = (await worker.next()) as typeof value;
    expect(echoed.big).toBe(2n ** 100n);
    expect(echoed.map).toStrictEqual(value.map);
    expect(echoed.date).toStrictEqual(value.date);
    expect(echoed.bytes).toStrictEqual(value.bytes);
    expect(echoed.floats).toStrictEqual(value.floats);
    expect(echoed.buffer).toBeInstanceOf(ArrayBuffer);
    expect(echoed.buffer.byteLength).toBe(8);
    expect(echoed.error).toBeInstanceOf(RangeError);
    expect(echoed.error.message).toBe('outer');
    expect((echoed.error.cause as Error).message).toBe('inner');
    expect(Object.is(echoed.nested[2], -0)).toBe(true);
    worker.handle.terminate();
    await worker.exited;
  });

  it('send throws synchronously for a value that cannot be cloned; the channel carries on', async () => {
    const worker = start('echo');
    await worker.next();
    expect(() => send(worker.handle, { task: () => {} })).toThrow();
    send(worker.handle, { after: 1 });
    expect(await worker.next()).toStrictEqual({ after: 1 });
    worker.handle.terminate();
    await worker.exited;
  });

  it('a payload of megabytes crosses both ways intact', { timeout: 30_000 }, async () => {
    const worker = start('echo');
    await worker.next();
    const floats = new Float64Array(3 * 131_072).map((_, i) => i * 0.25);
    const bytes = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251);
    send(worker.handle, { floats, bytes });
    const echoed = (await worker.next()) as { floats: Float64Array; bytes: Uint8Array };
    expect(echoed.floats).toBeInstanceOf(Float64Array);
    expect(
      Buffer.compare(
        Buffer.from(echoed.floats.buffer, echoed.floats.byteOffset, echoed.floats.byteLength),
        Buffer.from(floats.buffer),
      ),
    ).toBe(0);
    expect(Buffer.compare(echoed.bytes, bytes)).toBe(0);
    worker.handle.terminate();
    await worker.exited;
  });

  it('exit is reported only after every message the worker wrote before process.exit', {
    timeout: 30_000,
  }, async () => {
    const worker = start('post-then-exit');
    await worker.next();
    // More than the pipe holds, so the worker's last writes wait for the host to read.
    send(worker.handle, { count: 40, length: 16_384 });
    const { exit, messages } = await worker.exited;
    expect(exit.exitCode).toBe(3);
    const posted = messages.slice(1) as { i: number; payload: Float64Array }[];
    expect(posted.map((m) => m.i)).toStrictEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(posted.every((m) => m.payload.length === 16_384 && m.payload[9] === m.i)).toBe(true);
  });

  it('a worker goes on while its host does not read: its replies are held, then arrive in order', {
    timeout: 30_000,
  }, async () => {
    const worker = start('post-while-host-busy');
    await worker.next();
    const dir = mkdtempSync(join(tmpdir(), 'mh-channel-'));
    const flag = join(dir, 'posted');
    // 1.5 MB, several times what the pipe holds, but less than a worker holds back.
    send(worker.handle, { count: 12, length: 16_384, flag });
    await null; // the host writes what it sent in a microtask
    // The host's thread stays busy (reads nothing) until the worker got past its posts.
    const deadline = Date.now() + 10_000;
    while (!existsSync(flag) && Date.now() < deadline) Atomics.wait(PAUSE, 0, 0, 5);
    expect(existsSync(flag)).toBe(true);
    type Reply = { i: number; payload?: Float64Array; last?: true };
    const replies = (): Reply[] => worker.messages.slice(1) as Reply[];
    while (replies().at(-1)?.last !== true) await new Promise((r) => setTimeout(r, 5));
    const messages = replies();
    expect(messages.map((m) => m.i)).toStrictEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(messages.slice(0, 12).every((m) => m.payload?.[5] === m.i)).toBe(true);
    worker.handle.terminate();
    await worker.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('postSync from an exit handler reaches the host, after what was posted before', async () => {
    const worker = start('post-sync-on-exit');
    await worker.next();
    send(worker.handle, {});
    const { exit, messages } = await worker.exited;
    expect(exit.exitCode).toBe(4);
    expect(messages.slice(1)).toStrictEqual([{ i: 0 }, { i: 1, last: 'words' }]);
  });

  it('postSync from an uncaughtExceptionMonitor reaches the host before the crash is reported', async () => {
    const worker = start('post-sync-on-crash');
    await worker.next();
    send(worker.handle, {});
    const { exit, messages } = await worker.exited;
    expect(exit.exitCode).toBe(1);
    const [first, last] = messages.slice(1) as [{ i: number }, { i: number; error: Error }];
    expect(first).toStrictEqual({ i: 0 });
    expect(last.i).toBe(1);
    expect(last.error.message).toBe('the task crashed');
  });
});
