/**
 * Compares ways for a host and a forked Node process to exchange structured-clone messages,
 * before the process backends chose one: Node's IPC with `serialization: 'advanced'`, an extra
 * stdio `'pipe'` (a socketpair) carrying length-prefixed `v8.serialize` frames, and a Unix
 * domain socket carrying the same frames. Per channel: the sequential round trip of a small
 * message, and the one-way throughput of a burst of small messages (no coalescing, so the
 * channel's own per-message cost shows). Medians of interleaved rounds.
 *
 *   node dist/channel-alternatives.js [--rounds 5]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';

type Channel = 'ipc-advanced' | 'stdio-pipe' | 'unix-socket';
const CHANNELS: readonly Channel[] = ['ipc-advanced', 'stdio-pipe', 'unix-socket'];
const ROUND_TRIPS = 5_000;
const BURST = 100_000;
const MESSAGE = { mh: 'manyhands/1', k: 'jobs', jobs: [[1, 0, 'noop', []]] };

/** Length-prefixed frames over a byte stream. */
function frameOf(value: unknown): Buffer {
  const body = serialize(value);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

function onFrames(socket: Socket, handler: (value: unknown) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    let data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (data.length >= 4) {
      const size = data.readUInt32LE(0);
      if (data.length < 4 + size) break;
      handler(deserialize(data.subarray(4, 4 + size)));
      data = data.subarray(4 + size);
    }
    pending = data;
  });
}

/** The child: echoes every message back on the same channel. */
function serve(channel: Channel): void {
  if (channel === 'ipc-advanced') {
    process.on('message', (m) => process.send?.(m));
    return;
  }
  const socket =
    channel === 'stdio-pipe'
      ? new Socket({ fd: 4, readable: true, writable: true })
      : createConnection(process.env.ALT_SOCKET_PATH as string);
  onFrames(socket, (m) => socket.write(frameOf(m)));
  process.once('disconnect', () => process.exit(0));
}

interface Link {
  send(value: unknown): void;
  onMessage(handler: () => void): void;
  close(): void;
}

async function connect(channel: Channel): Promise<Link> {
  const self = fileURLToPath(import.meta.url);
  const path = join(tmpdir(), `mh-alt-${process.pid}.sock`);
  let server: ReturnType<typeof createServer> | undefined;
  let accepted: Promise<Socket> | undefined;
  if (channel === 'unix-socket') {
    rmSync(path, { force: true });
    server = createServer();
    accepted = new Promise((resolve) => server?.once('connection', resolve));
    await new Promise<void>((resolve) => server?.listen(path, resolve));
  }
  const child: ChildProcess = fork(self, ['--serve', channel], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    env: { ...process.env, ALT_SOCKET_PATH: path },
  });
  if (channel === 'ipc-advanced') {
    return {
      send: (v) => child.send(v as never),
      onMessage: (h) => child.on('message', h),
      close: () => child.kill('SIGKILL'),
    };
  }
  // With 'ipc' at index 3, the extra pipe is fd 4 in the child.
  const socket =
    channel === 'stdio-pipe' ? (child.stdio[4] as Socket) : await (accepted as Promise<Socket>);
  return {
    send: (v) => socket.write(frameOf(v)),
    onMessage: (h) => onFrames(socket, h),
    close: () => {
      child.kill('SIGKILL');
      socket.destroy();
      server?.close();
    },
  };
}

async function measure(channel: Channel): Promise<{ rttUs: number; burstUs: number }> {
  const link = await connect(channel);
  let waiting: (() => void) | undefined;
  let received = 0;
  link.onMessage(() => {
    received++;
    waiting?.();
  });
  const next = (count: number) =>
    new Promise<void>((resolve) => {
      waiting = () => {
        if (received >= count) resolve();
      };
    });
  // Warm up (and wait for the child to listen).
  for (let i = 0; i < 200; i++) {
    const done = next(received + 1);
    link.send(MESSAGE);
    await done;
  }
  let t0 = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const done = next(received + 1);
    link.send(MESSAGE);
    await done;
  }
  const rttUs = ((performance.now() - t0) * 1000) / ROUND_TRIPS;
  t0 = performance.now();
  const done = next(received + BURST);
  for (let i = 0; i < BURST; i++) link.send(MESSAGE);
  await done;
  const burstUs = ((performance.now() - t0) * 1000) / BURST;
  link.close();
  return { rttUs, burstUs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--rounds');
  const rounds = at >= 0 ? Number(process.argv[at + 1]) : 5;
  const samples = new Map<Channel, { rttUs: number; burstUs: number }[]>();
  for (let round = 0; round < rounds; round++) {
    for (const channel of CHANNELS) {
      const sample = await measure(channel);
      samples.set(channel, [...(samples.get(channel) ?? []), sample]);
    }
  }
  console.log(
    `channel alternatives, node ${process.version}, ${rounds} interleaved rounds (median [min–max])`,
  );
  for (const channel of CHANNELS) {
    const runs = samples.get(channel) ?? [];
    const show = (pick: (s: { rttUs: number; burstUs: number }) => number) => {
      const v = runs.map(pick);
      return `${median(v).toFixed(1)} µs [${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}]`;
    };
    console.log(
      `${channel.padEnd(13)} round trip ${show((s) => s.rttUs)}   burst, per message ${show((s) => s.burstUs)}`,
    );
  }
}

const serving = process.argv.indexOf('--serve');
if (serving >= 0) serve(process.argv[serving + 1] as Channel);
else await main();
