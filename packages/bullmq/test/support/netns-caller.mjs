// A caller on its own host: run inside the caller's network namespace by `scale-lab.ts`. It
// makes a BullMQ executor, runs the rounds the spec asks for (each after a `next` line on stdin,
// but the first), checks every result itself, and prints one JSON line per event.
//
//   node netns-caller.mjs '{"redis":"redis://…","queue":"q","mode":"imap","count":1000,"us":2}'
import { createInterface } from 'node:readline';
import { createBullmqExecutor } from '../../dist/index.js';

const spec = JSON.parse(process.argv[2]);
const emit = (event) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...event })}\n`);
const errorOf = (e) => ({ name: e?.name, code: e?.code, message: String(e?.message ?? e) });
const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const pool = createBullmqExecutor(new URL('../fixtures/node-tasks.mjs', import.meta.url), {
  redis: spec.redis,
  queue: spec.queue,
  ...spec.options,
});

/** Unordered imap of `tagged` (or `taggedSlow`): counts each item's deliveries and which node ran it. */
async function imapRound(count) {
  const seen = new Uint32Array(count);
  const byPid = {};
  const firstAt = {};
  let wrong = 0;
  let done = 0;
  const every = Math.max(1, Math.floor(count / (spec.progressEvents ?? 20)));
  const inputs = Array.from({ length: count }, (_, i) => i);
  let error;
  try {
    for await (const [n, square, pid] of pool.imap(spec.task ?? 'tagged', inputs, {
      ordered: false,
      ...spec.mapOptions,
    })) {
      seen[n]++;
      if (square !== n * n) wrong++;
      byPid[pid] = (byPid[pid] ?? 0) + 1;
      firstAt[pid] ??= Date.now();
      if (++done % every === 0) emit({ event: 'progress', done, byPid });
    }
  } catch (e) {
    // What arrived before the failure still counts: no item may have come twice.
    error = errorOf(e);
  }
  let duplicates = 0;
  let missing = 0;
  for (const n of seen) {
    if (n === 0) missing++;
    if (n > 1) duplicates += n - 1;
  }
  return { delivered: done, duplicates, missing, wrong, byPid, firstAt, error };
}

/** Ordered map of `slowSquare` (or `spec.task`): checks every position. */
async function mapRound(count) {
  const results = await pool.map(
    spec.task ?? 'slowSquare',
    Array.from({ length: count }, (_, i) => i),
    spec.mapOptions,
  );
  let wrong = 0;
  for (let i = 0; i < count; i++) if (results[i] !== i * i) wrong++;
  return { delivered: results.length, wrong, duplicates: 0, missing: count - results.length };
}

/** Many concurrent `run`s, one in ten of them throwing. */
async function burstRound(count) {
  const calls = Array.from({ length: count }, (_, i) =>
    i % 10 === 0
      ? pool.run('throwCounted', `no ${i}`).then(
          () => 'resolved',
          (e) => (e instanceof RangeError && e.message === `no ${i}` ? 'ok' : 'wrong'),
        )
      : pool.run('slowSquare', i, 2).then(
          (v) => (v === i * i ? 'ok' : 'wrong'),
          () => 'rejected',
        ),
  );
  const outcomes = await Promise.all(calls);
  const wrong = outcomes.filter((o) => o !== 'ok').length;
  return { delivered: outcomes.length, wrong, duplicates: 0, missing: 0 };
}

const rounds = spec.rounds ?? 1;
await pool.run('slowSquare', 1, 0);
emit({ event: 'ready' });
for (let round = 0; round < rounds; round++) {
  if (round > 0) await stdin.next();
  const t0 = performance.now();
  emit({ event: 'start', round });
  try {
    const run = spec.mode === 'map' ? mapRound : spec.mode === 'burst' ? burstRound : imapRound;
    const summary = await run(spec.count);
    emit({ event: 'round', round, ms: performance.now() - t0, ...summary, stats: pool.stats() });
  } catch (error) {
    emit({ event: 'round', round, ms: performance.now() - t0, error: errorOf(error) });
  }
}
await pool.close();
emit({ event: 'closed' });
process.exit(0);
