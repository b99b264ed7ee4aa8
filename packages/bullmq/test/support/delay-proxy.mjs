// A delaying TCP proxy for the BullMQ backend's tests and bench: every chunk read from one side
// is written to the other `delay` ms (± `jitter`) later. A chunk is never written before the one
// read ahead of it on the same connection and direction, so byte order is kept; only the gaps
// between chunks vary. The kernel here has no `netem` qdisc, so this is how latency between
// hosts is made. Plain JS: it runs as a child inside a network namespace, and in the bench.
//
//   node delay-proxy.mjs --listen HOST:PORT --target HOST:PORT|/unix.sock --delay MS [--jitter MS]
//
// Prints `listening HOST:PORT` once it accepts connections.
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** One direction of one connection: chunks wait in order until their time comes. */
function pipeDelayed(from, to, oneWayMs, jitterMs) {
  const queue = [];
  let timer;
  let last = 0;
  let ended = false;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0].at <= now) {
      if (!to.destroyed) to.write(queue.shift().chunk);
      else queue.shift();
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0].at - now);
    else if (ended && !to.destroyed) to.end();
  };
  from.on('data', (chunk) => {
    const wanted = performance.now() + oneWayMs + (Math.random() * 2 - 1) * jitterMs;
    // Never before the chunk ahead of it: order is kept, jitter only spreads the gaps.
    last = Math.max(last, wanted);
    queue.push({ chunk, at: last });
    if (oneWayMs === 0 && jitterMs === 0) flush();
    else timer ??= setTimeout(flush, Math.max(0, queue[0].at - performance.now()));
  });
  from.on('end', () => {
    ended = true;
    if (!timer) flush();
  });
}

/**
 * Starts a proxy on `listen` (`{ host, port }`; port 0 picks one) that forwards to `target`
 * (`{ host, port }` or `{ path }`) with `delayMs` one-way delay each way (so the round trip
 * grows by twice that) and up to `jitterMs` either side of it.
 */
export function startDelayProxy({ listen, target, delayMs = 0, jitterMs = 0 }) {
  if (!(delayMs >= 0) || !(jitterMs >= 0) || jitterMs > delayMs) {
    throw new RangeError(`delay ${delayMs} / jitter ${jitterMs}: need 0 <= jitter <= delay`);
  }
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(target);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on('error', () => {});
    }
    pipeDelayed(client, upstream, delayMs, jitterMs);
    pipeDelayed(upstream, client, delayMs, jitterMs);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      const { address, port } = server.address();
      resolve({
        host: address,
        port,
        /** Closes the listener and every connection through it. */
        close() {
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

function hostPort(text) {
  const at = text.lastIndexOf(':');
  return { host: text.slice(0, at), port: Number(text.slice(at + 1)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string' },
      target: { type: 'string' },
      delay: { type: 'string', default: '0' },
      jitter: { type: 'string', default: '0' },
    },
  });
  const target = values.target.startsWith('/') ? { path: values.target } : hostPort(values.target);
  const proxy = await startDelayProxy({
    listen: hostPort(values.listen),
    target,
    delayMs: Number(values.delay),
    jitterMs: Number(values.jitter),
  });
  process.stdout.write(`listening ${proxy.host}:${proxy.port}\n`);
  process.on('SIGTERM', () => void proxy.close().then(() => process.exit(0)));
}
