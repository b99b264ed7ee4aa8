// The BullMQ backend across a slow network: items/s of a map of ~2 µs CPU-bound items, the
// round trip of one `run`, and Redis commands per item, at 0, 2 and 20 ms round trip (a delaying
// TCP proxy between every client and Redis) with 1 and 2 worker nodes. A script, not a test:
// build first (`sh scripts/pnpm.sh exec turbo run build`), then
//
//   node packages/bullmq/bench/latency.mjs [--n 500000] [--rtt 0,2,20] [--nodes 1,2] [--reps 3] [--samples 60]
//
// It starts its own redis-server (on a free loopback port) and proxies; nothing else needed.
// BENCH_POOLOPTS='{"workers":32}' passes extra executor options, and
// BENCH_NODEARGS='["--concurrency","2"]' extra `manyhands-worker` flags (to compare settings).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createBullmqExecutor, startWorkerNodes } from '../dist/index.js';

const TASKS = new URL('../test/fixtures/node-tasks.mjs', import.meta.url);
const PROXY = fileURLToPath(new URL('../test/support/delay-proxy.mjs', import.meta.url));

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const n = Number(arg('n', '500000'));
const rtts = arg('rtt', '0,2,20').split(',').map(Number);
const nodeCounts = arg('nodes', '1,2').split(',').map(Number);
const samples = Number(arg('samples', '60'));
const reps = Number(arg('reps', '3'));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `command` and resolves once it prints `mark`. */
function startUntil(command, args, mark) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      out += text;
      if (out.includes(mark)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited ${code}:\n${out}`)));
  });
}

const stop = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function commandCount(redis) {
  const info = await redis.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/calls=(\d+)/g)) calls += Number(match[1]);
  return calls;
}

const redisPort = await freePort();
const redisServer = await startUntil(
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  'Ready to accept connections',
);
const direct = new Redis({ port: redisPort, host: '127.0.0.1' });
const inputs = Array.from({ length: n }, (_, i) => i);
const proxies = [];
const setups = [];
const rows = [];
try {
  // Everything is set up first, then measured round-robin: on a shared machine, load that
  // comes and goes then falls on every configuration alike.
  for (const rtt of rtts) {
    const proxyPort = await freePort();
    proxies.push(
      await startUntil(
        process.execPath,
        [
          PROXY,
          '--listen',
          `127.0.0.1:${proxyPort}`,
          '--target',
          `127.0.0.1:${redisPort}`,
          '--delay',
          String(rtt / 2),
          '--jitter',
          String(rtt / 10),
        ],
        'listening',
      ),
    );
    const redis = `redis://127.0.0.1:${proxyPort}`;
    for (const count of nodeCounts) {
      const queue = `latency-bench-${process.pid}-${rtt}-${count}`;
      const nodes = await startWorkerNodes({
        tasks: TASKS,
        queue,
        redis,
        count,
        args: JSON.parse(process.env.BENCH_NODEARGS ?? '[]'),
      });
      const pool = createBullmqExecutor(TASKS, {
        queue,
        redis,
        ...JSON.parse(process.env.BENCH_POOLOPTS ?? '{}'),
      });
      setups.push({ rtt, count, nodes, pool, rates: [], commands: [], times: [] });
    }
  }
  for (const setup of setups) await setup.pool.map('square2us', inputs.slice(0, 50_000)); // warm up
  for (let rep = 0; rep < reps; rep++) {
    for (const setup of setups) {
      const { pool } = setup;
      for (let i = 0; i < Math.ceil(samples / reps); i++) {
        const t0 = performance.now();
        await pool.run('square2us', i);
        setup.times.push(performance.now() - t0);
      }
      const before = await commandCount(direct);
      const t0 = performance.now();
      const results = await pool.map('square2us', inputs);
      const seconds = (performance.now() - t0) / 1000;
      setup.commands.push(((await commandCount(direct)) - before) / n);
      for (let i = 0; i < n; i++) if (results[i] !== i * i) throw new Error(`wrong result at ${i}`);
      setup.rates.push(n / seconds);
      console.log(
        `rep ${rep + 1}/${reps} rtt ${String(setup.rtt).padStart(2)} ms, ${setup.count} node(s): ` +
          `${Math.round(n / seconds)} items/s`,
      );
    }
  }
  for (const setup of setups) {
    const times = [...setup.times].sort((a, b) => a - b);
    rows.push({
      rtt: setup.rtt,
      nodes: setup.count,
      itemsPerSecond: Math.round(median(setup.rates)),
      spread: `${Math.round(Math.min(...setup.rates) / 1000)}k–${Math.round(Math.max(...setup.rates) / 1000)}k`,
      p50: percentile(times, 0.5),
      p99: percentile(times, 0.99),
      commandsPerItem: median(setup.commands),
    });
  }
} finally {
  for (const setup of setups) {
    await setup.pool.close();
    await setup.nodes.stop();
  }
  for (const proxy of proxies) await stop(proxy);
  direct.disconnect();
  await stop(redisServer);
}

console.log(
  `\nn = ${n} items of ~2 µs, median of ${reps} runs (range), ${samples} sequential runs for p50/p99`,
);
console.log('| RTT | nodes | items/s | range | vs 0 ms | run p50 | run p99 | Redis cmds/item |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const base = rows.find((r) => r.rtt === rtts[0] && r.nodes === row.nodes);
  console.log(
    `| ${row.rtt} ms | ${row.nodes} | ${row.itemsPerSecond} | ${row.spread} | ${(row.itemsPerSecond / base.itemsPerSecond).toFixed(2)} | ` +
      `${row.p50.toFixed(1)} ms | ${row.p99.toFixed(1)} ms | ${row.commandsPerItem.toFixed(4)} |`,
  );
}
