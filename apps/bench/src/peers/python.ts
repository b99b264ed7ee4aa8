/**
 * The article's own approach, for comparison: Python's `multiprocessing.Pool(n).map` over the
 * same inputs (written to a file from the same seed), timed by the script itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CaseEvents, CaseOutcome } from '../launch-case.js';
import type { CaseSpec } from '../plan.js';
import { endGroup, trackGroup } from '../process-groups.js';

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

interface PythonSample {
  sample: number;
  seconds: number;
  checksum: string;
}

/** Runs `pool_map.py` for `spec` on the inputs in `inputsFile` (written with `spec.items` lines). */
export function launchPythonCase(
  spec: CaseSpec,
  inputsFile: string,
  events: CaseEvents = {},
): Promise<CaseOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'python3',
      [SCRIPT, inputsFile, String(spec.workers), String(spec.samples)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    const pid = child.pid;
    if (pid !== undefined) {
      trackGroup(pid);
      events.onSpawn?.(pid);
    }
    events.onPhase?.('warming up');
    const samples: PythonSample[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
        const line = buffered.slice(0, at).trim();
        buffered = buffered.slice(at + 1);
        if (!line) continue;
        samples.push(JSON.parse(line) as PythonSample);
        events.onSample?.(samples.length, spec.samples);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', (error) => {
      if (pid === undefined) reject(error);
    });
    child.on('exit', (code, signal) => {
      if (pid !== undefined) endGroup(pid);
      if (code !== 0 || samples.length !== spec.samples) {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`python3 pool_map.py ended with ${how}\n${stderr.trim()}`));
        return;
      }
      const samplesMs = samples.map((s) => s.seconds * 1000).sort((a, b) => a - b);
      const mid = samplesMs.length >> 1;
      const medianMs =
        samplesMs.length % 2 === 1
          ? (samplesMs[mid] as number)
          : ((samplesMs[mid - 1] as number) + (samplesMs[mid] as number)) / 2;
      resolve({
        measurement: { samplesMs, medianMs, checksums: samples.map((s) => s.checksum) },
        ownPeakRssKb: 0,
      });
    });
  });
}
