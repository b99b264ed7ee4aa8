/**
 * Starts a case in a fresh Node process (`case-process.js`) and drives it: one sample per
 * request, then close. A process that dies or times out fails the case; its process group is
 * killed either way.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { CaseCommand, CaseMessage } from './case-messages.js';
import { median } from './interval.js';
import type { Measurement, PassSample } from './measure.js';
import type { CaseSpec } from './plan.js';
import { endGroup, killGroup, trackGroup } from './process-groups.js';

/** Progress callbacks of a running case. */
export interface CaseEvents {
  onSpawn?(pid: number): void;
  onPhase?(phase: string): void;
  onSample?(done: number, total: number): void;
}

/** What a closed case reports. */
export interface CaseClosed {
  /** The case process' own peak RSS (`getrusage`), in KiB: its threads, not its children. */
  readonly ownPeakRssKb: number;
  /** Per-call latency over every sample (sequential round trips only). */
  readonly latencyMs?: { readonly p50: number; readonly p99: number } | undefined;
}

/** A started, warmed-up case that takes samples when asked. */
export interface CaseSession {
  /** The case process (the leader of its process group). */
  readonly pid: number | undefined;
  /** Takes one sample: one full pass, timed in the case process. */
  sample(): Promise<PassSample>;
  /** Closes the subject and ends the process. */
  close(): Promise<CaseClosed>;
  /** Kills the case and everything it started, at once. */
  kill(): void;
}

/** What a case reported, all samples taken at once (see {@link launchNodeCase}). */
export interface CaseOutcome extends CaseClosed {
  readonly measurement: Measurement;
}

/** Most time one request (start and warm-up, one sample, close) may take before the case fails. */
export const CASE_TIMEOUT_MS = 10 * 60_000;

const CASE_PROCESS = new URL('./case-process.js', import.meta.url);

type Waiter = { resolve(message: CaseMessage): void; reject(error: Error): void };

/** Sends requests to a child one at a time and hands each its answer. */
class Channel {
  private waiter: Waiter | undefined;
  private failure: string | undefined;
  private ended: Error | undefined;
  private stderr = '';

  constructor(
    private readonly child: ChildProcess,
    private readonly timeoutMs: number,
    events: CaseEvents,
  ) {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    child.on('message', (raw) => {
      const message = raw as CaseMessage;
      if (message.type === 'phase') events.onPhase?.(message.phase);
      else if (message.type === 'error') this.failure = message.message;
      else this.answer(message);
    });
    child.on('error', (error) => {
      this.failure ??= error.message;
      // A process that never started emits no 'exit'.
      if (child.pid === undefined) this.end(error);
    });
    child.on('exit', (code, signal) => {
      if (child.pid !== undefined) endGroup(child.pid);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      const detail = this.stderr.trim() ? `\n${this.stderr.trim()}` : '';
      this.end(new Error(`${this.failure ?? `the case process ended with ${how}`}${detail}`));
    });
  }

  private answer(message: CaseMessage): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve(message);
  }

  private end(error: Error): void {
    this.ended ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.ended);
  }

  /** Waits for the next answer, after sending `command` if given. */
  request(command?: CaseCommand): Promise<CaseMessage> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<CaseMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failure = `timed out after ${this.timeoutMs / 1000} s`;
        this.kill();
      }, this.timeoutMs);
      const done = (): void => clearTimeout(timer);
      this.waiter = {
        resolve: (message) => {
          done();
          resolve(message);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      if (command) this.child.send(command);
    });
  }

  kill(): void {
    if (this.child.pid !== undefined) killGroup(this.child.pid);
  }

  /** Resolves once the process has exited (whatever the exit). */
  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}

/** Starts `spec` in a new Node process with `env` added; resolves once it is warmed up. */
export async function startNodeCase(
  spec: CaseSpec,
  env: Readonly<Record<string, string>>,
  events: CaseEvents = {},
  timeoutMs = CASE_TIMEOUT_MS,
): Promise<CaseSession> {
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
  // A backend's chatter must not land in stdout (it may carry --json output). Many cases are
  // open at once: a 'data' listener each, not a pipe each, into the one stderr.
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const channel = new Channel(child, timeoutMs, events);
  if (pid !== undefined) events.onSpawn?.(pid);
  const unexpected = (message: CaseMessage): Error =>
    new Error(`the case process answered "${message.type}" out of turn`);
  const ready = await channel.request();
  if (ready.type !== 'ready') {
    channel.kill();
    throw unexpected(ready);
  }
  return {
    pid,
    async sample() {
      const answer = await channel.request({ type: 'sample' });
      if (answer.type !== 'sampled') throw unexpected(answer);
      return { ms: answer.ms, checksum: answer.checksum };
    },
    async close() {
      const answer = await channel.request({ type: 'close' });
      if (answer.type !== 'closed') throw unexpected(answer);
      await channel.exited();
      return { ownPeakRssKb: answer.ownPeakRssKb, latencyMs: answer.latencyMs };
    },
    kill: () => channel.kill(),
  };
}

/** Runs `spec` in a new Node process: warm-up, `spec.samples` samples one after another, close. */
export async function launchNodeCase(
  spec: CaseSpec,
  env: Readonly<Record<string, string>>,
  events: CaseEvents = {},
  timeoutMs = CASE_TIMEOUT_MS,
): Promise<CaseOutcome> {
  const session = await startNodeCase(spec, env, events, timeoutMs);
  try {
    const samplesMs: number[] = [];
    const checksums: string[] = [];
    for (let i = 0; i < spec.samples; i++) {
      const taken = await session.sample();
      samplesMs.push(taken.ms);
      checksums.push(taken.checksum);
      events.onSample?.(i + 1, spec.samples);
    }
    const closed = await session.close();
    return {
      ...closed,
      measurement: {
        samplesMs,
        medianMs: median(samplesMs),
        checksums,
        ...(closed.latencyMs ? { latencyMs: closed.latencyMs } : {}),
      },
    };
  } finally {
    session.kill();
  }
}
