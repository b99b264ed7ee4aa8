/**
 * How fast each core of this machine runs one thread right now. On a virtual machine a core
 * can be slower than its neighbours (the host's other tenants share its physical core) with
 * nothing to see from inside: no process here uses it, `/proc/stat` shows no steal. Then a
 * plain loop's time depends on which core it lands on, and so does every speedup measured
 * against it. Linux with `taskset` (util-linux) only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The bench's own kind of work, the article's BigInt factorials of 1..99 kept in an array
 * (allocating, so a neighbour that shares the core's caches and memory shows; a register-only
 * loop barely does): the fastest of three runs, printed in ms.
 */
const PROBE = `const f = (n) => (n <= 1 ? 1n : BigInt(n) * f(n - 1));
let best = Infinity;
let kept = 0;
for (let r = 0; r < 3; r++) {
  const out = new Array(30000);
  const t0 = performance.now();
  for (let i = 0; i < out.length; i++) out[i] = f(1 + (i % 99));
  best = Math.min(best, performance.now() - t0);
  kept += out.length;
}
process.stdout.write(String(kept > 0 ? best : -1));`;

/** One core's probe: its id and how long the loop took there, in ms. */
export interface CoreSpeed {
  readonly core: number;
  readonly ms: number;
}

/** The cores this process may run on (`Cpus_allowed_list` of `/proc/self/status`, e.g. `0-3,8`). */
export function allowedCores(): number[] {
  const status = readFileSync('/proc/self/status', 'utf8');
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '';
  return list.split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number) as [number, number?];
    return Array.from({ length: (to as number) - from + 1 }, (_, i) => from + i);
  });
}

/**
 * Times the probe loop on each core in turn (each in its own process pinned with `taskset`).
 * `undefined` where it cannot (not Linux, no `taskset`, a core not allowed to this process).
 */
export function measureCoreSpeeds(): CoreSpeed[] | undefined {
  if (process.platform !== 'linux') return undefined;
  const speeds: CoreSpeed[] = [];
  try {
    for (const core of allowedCores()) {
      const out = execFileSync('taskset', ['-c', String(core), process.execPath, '-e', PROBE], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 30_000,
      });
      speeds.push({ core, ms: Number(out) });
    }
  } catch {
    return undefined;
  }
  return speeds.length > 0 && speeds.every((s) => s.ms > 0) ? speeds : undefined;
}

/**
 * One line on the cores' speeds, e.g. `cores: cpu0 0.59, cpu1 1.00 of the fastest — UNEQUAL: 2
 * workers can be at most 1.59× a plain loop that ran on the fastest core, 2.69× one on the
 * slowest`.
 */
export function describeCoreSpeeds(speeds: readonly CoreSpeed[] | undefined): string {
  if (!speeds || speeds.length === 0) return 'cores: speeds not measured (needs Linux and taskset)';
  const fastest = Math.min(...speeds.map((s) => s.ms));
  const shares = speeds.map((s) => fastest / s.ms);
  const list = speeds.map((s, i) => `cpu${s.core} ${(shares[i] as number).toFixed(2)}`).join(', ');
  const slowest = Math.min(...shares);
  if (slowest >= 0.9) return `cores: ${list} of the fastest (even)`;
  const total = shares.reduce((a, b) => a + b, 0);
  return `cores: ${list} of the fastest — UNEQUAL: ${speeds.length} workers can be at most ${total.toFixed(2)}× a plain loop that ran on the fastest core, ${(total / slowest).toFixed(2)}× one on the slowest`;
}
