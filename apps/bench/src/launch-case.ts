/**
 * Starts a case in a fresh Node process (`case-process.js`) and turns its IPC messages into
 * progress callbacks and one outcome. A process that dies or times out fails the case; its
 * process group is killed either way.
 */
import { fork } from 'node:child_process';
import type { CaseMessage } from './case-messages.js';
import type { Measurement } from './measure.js';
import type { CaseSpec } from './plan.js';
import { endGroup, killGroup, trackGroup } from './process-groups.js';

/** Progress callbacks of a running case. */
export interface CaseEvents {
  onSpawn?(pid: number): void;
  onPhase?(phase: string): void;
  onSample?(done: number, total: number): void;
}

/** What a case reported. */
export interface CaseOutcome {
  readonly measurement: Measurement;
  /** The case process' own peak RSS (`getrusage`), in KiB: its threads, not its children. */
  readonly ownPeakRssKb: number;
}

/** Most time one case may take before it is killed and fails. */
export const CASE_TIMEOUT_MS = 10 * 60_000;

const CASE_PROCESS = new URL('./case-process.js', import.meta.url);

/** Runs `spec` in a new Node process with `env` added to its environment. */
export function launchNodeCase(
  spec: CaseSpec,
  env: Readonly<Record<string, string>>,
  events: CaseEvents = {},
  timeoutMs = CASE_TIMEOUT_MS,
): Promise<CaseOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(CASE_PROCESS, [JSON.stringify(spec)], {
      env: { ...process.env, ...env },
      // The bench's own flags only: never a test runner's loaders.
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    // A backend's chatter must not land in stdout (it may carry --json output).
    child.stdout?.pipe(process.stderr, { end: false });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    let outcome: CaseOutcome | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `timed out after ${timeoutMs / 1000} s`;
      if (pid !== undefined) killGroup(pid);
    }, timeoutMs);
    if (pid !== undefined) events.onSpawn?.(pid);
    child.on('message', (raw) => {
      const message = raw as CaseMessage;
      if (message.type === 'phase') events.onPhase?.(message.phase);
      else if (message.type === 'sample') events.onSample?.(message.done, message.total);
      else if (message.type === 'result') {
        outcome = { measurement: message.measurement, ownPeakRssKb: message.ownPeakRssKb };
      } else failure = message.message;
    });
    child.on('error', (error) => {
      failure ??= error.message;
      // A process that never started emits no 'exit'.
      if (pid === undefined) {
        clearTimeout(timer);
        reject(error);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) endGroup(pid);
      if (outcome && code === 0) {
        resolve(outcome);
        return;
      }
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const detail = stderr.trim() ? `\n${stderr.trim()}` : '';
      reject(new Error(`${failure ?? `the case process ended with ${how}`}${detail}`));
    });
  });
}
