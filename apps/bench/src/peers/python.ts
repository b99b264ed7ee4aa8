/**
 * The article's own approach, for comparison: Python's `multiprocessing.Pool(n).map` over the
 * same inputs (written to a file from the same seed), timed by the script itself, one sample
 * per request so the runner can interleave it with the Node cases.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CaseEvents, CaseSession } from '../launch-case.js';
import type { PassSample } from '../measure.js';
import type { CaseSpec } from '../plan.js';
import { endGroup, killGroup, trackGroup } from '../process-groups.js';

const SCRIPT = fileURLToPath(new URL('../../python/pool_map.py', import.meta.url));

/** `python3`'s version, or why it cannot run. */
export function pythonAvailability():
  | { ok: true; version: string }
  | { ok: false; reason: string } {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return {
      ok: false,
      reason: `python3 not found (${probe.error?.message ?? probe.stderr.trim()})`,
    };
  }
  return { ok: true, version: `${probe.stdout}${probe.stderr}`.trim() };
}

/** Writes `inputs` one per line, the format `pool_map.py` reads. */
export async function writeInputsFile(path: string, inputs: readonly number[]): Promise<void> {
  await writeFile(path, `${inputs.join('\n')}\n`);
}

type Line = { ready: true } | { sample: number; seconds: number; checksum: string };
type Waiter = { resolve(line: Line): void; reject(error: Error): void };

/**
 * Starts `pool_map.py` for `spec` on the inputs in `inputsFile` (written with `spec.items`
 * lines); resolves once its pool is warmed up.
 */
export async function startPythonCase(
  spec: CaseSpec,
  inputsFile: string,
  events: CaseEvents = {},
): Promise<CaseSession> {
  const child = spawn('python3', [SCRIPT, inputsFile, String(spec.workers), '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid !== undefined) {
    trackGroup(pid);
    events.onSpawn?.(pid);
  }
  events.onPhase?.('warming up');
  let waiter: Waiter | undefined;
  let ended: Error | undefined;
  let buffered = '';
  let stderr = '';
  const next = (): Promise<Line> =>
    ended
      ? Promise.reject(ended)
      : new Promise<Line>((resolve, reject) => {
          waiter = { resolve, reject };
        });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at).trim();
      buffered = buffered.slice(at + 1);
      if (!line) continue;
      const w = waiter;
      waiter = undefined;
      w?.resolve(JSON.parse(line) as Line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      if (pid !== undefined) endGroup(pid);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      ended = new Error(`python3 pool_map.py ended with ${how}\n${stderr.trim()}`);
      waiter?.reject(ended);
      waiter = undefined;
      resolve(code);
    });
  });
  child.on('error', (error) => {
    ended ??= error;
    waiter?.reject(error);
    waiter = undefined;
  });
  // A write after the script died is reported by 'exit'.
  child.stdin.on('error', () => {});
  const ready = await next();
  if (!('ready' in ready)) throw new Error('pool_map.py did not say ready');
  return {
    pid,
    async sample(): Promise<PassSample> {
      const answer = next();
      child.stdin.write('sample\n');
      const line = await answer;
      if (!('seconds' in line)) throw new Error('pool_map.py answered out of turn');
      return { ms: line.seconds * 1000, checksum: line.checksum };
    },
    async close() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw ended ?? new Error('pool_map.py failed');
      return { ownPeakRssKb: 0 };
    },
    kill: () => {
      if (pid !== undefined) killGroup(pid);
    },
  };
}
