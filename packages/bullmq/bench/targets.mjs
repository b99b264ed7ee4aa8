// The BullMQ backend's speed targets, on this machine: Redis + N worker nodes on loopback vs the
// inline backend, with apps/bench's task module and workload (build everything first).
//
//   MANYHANDS_REDIS_URL=redis://127.0.0.1:6390 node packages/bullmq/bench/targets.mjs [--n 1000000] [--nodes 2]
import { createInlineExecutor } from '../../inline/dist/index.js';
import { createBullmqExecutor, startWorkerNodes } from '../dist/index.js';

const TASKS = new URL('../../../apps/bench/dist/tasks.js', import.meta.url);
const { articleInputs, checksum } = await import(
  new URL('../../../apps/bench/dist/workload.js', import.meta.url).href
);

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const n = Number(arg('n', '1000000'));
const nodeCount = Number(arg('nodes', '2'));
const redis = process.env.MANYHANDS_REDIS_URL ?? 'redis://127.0.0.1:6379';
const queue = `bench-${process.pid}`;

const seconds = (t0) => (performance.now() - t0) / 1000;
const row = (name, s, extra = '') =>
  console.log(`${name.padEnd(34)} ${s.toFixed(3).padStart(8)} s  ${extra}`);

console.log(`bullmq targets: n=${n}, nodes=${nodeCount}, redis ${redis}, node ${process.version}`);
const inputs = articleInputs(n);

// Inline baseline (same as apps/bench's "inline map").
{
  const pool = createInlineExecutor(TASKS);
  await pool.map('factorial', articleInputs(20_000, 1));
  const t0 = performance.now();
  const results = await pool.map('factorial', inputs);
  const s = seconds(t0);
  await pool.close();
  row('inline map', s, `checksum ${checksum(results)}`);
  globalThis.inlineSeconds = s;
  globalThis.inlineChecksum = checksum(results);
}

const nodes = await startWorkerNodes({ tasks: TASKS, queue, redis, count: nodeCount });
try {
  const pool = createBullmqExecutor(TASKS, { queue, redis });
  await Promise.all(Array.from({ length: 64 }, () => pool.run('noop')));
  await pool.map('factorial', articleInputs(20_000, 1));

  let t0 = performance.now();
  const results = await pool.map('factorial', inputs);
  const mapSeconds = seconds(t0);
  const sum = checksum(results);
  row(
    'bullmq map',
    mapSeconds,
    `checksum ${sum}${sum === globalThis.inlineChecksum ? '' : '  MISMATCH'}`,
  );

  const count = 5_000;
  t0 = performance.now();
  for (let i = 0; i < count; i++) await pool.run('noop');
  const seq = seconds(t0);
  row('bullmq sequential run (noop)', seq, `${((seq * 1e6) / count).toFixed(0)} µs/call`);

  const burst = 200_000;
  t0 = performance.now();
  await Promise.all(Array.from({ length: burst }, () => pool.run('noop')));
  const b = seconds(t0);
  row('bullmq burst 200k run (noop)', b, `${Math.round(burst / b)} calls/s`);
  await pool.close();

  console.log(
    `\nbullmq map / inline map: ${(mapSeconds / globalThis.inlineSeconds).toFixed(2)}x the time (target <= 1.5x)`,
  );
  console.log(`burst: ${Math.round(burst / b)} calls/s (target >= 5000)`);
} finally {
  await nodes.stop();
}
