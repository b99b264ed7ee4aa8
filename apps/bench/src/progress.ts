/**
 * The live progress display on stderr: which workload, round and case, elapsed. On a terminal
 * one line is redrawn in place; elsewhere (CI logs, pipes) plain lines: one per started case,
 * one per round with every sample it took, one per finished case.
 */
import { formatSpeedup } from './format.js';
import type { CaseSpec } from './plan.js';
import type { CaseResult } from './report.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

/** What the runner reports as it goes. */
export interface ProgressSink {
  note(text: string): void;
  /** A workload's cases are about to start. */
  workloadStarted(workload: WorkloadId, cases: number, budgetSeconds: number): void;
  /** One case's process is starting (before any sample). */
  caseStarted(index: number, total: number, spec: CaseSpec): void;
  casePhase(phase: string): void;
  /** Round `round` (0: the warm-up) over `cases` cases starts. */
  roundStarted(workload: WorkloadId, round: number, cases: number): void;
  sampleStarted(spec: CaseSpec, round: number): void;
  sampleEnded(spec: CaseSpec, seconds: number): void;
  caseEnded(result: CaseResult): void;
  done(): void;
}

/** A progress sink that shows nothing (for `--json` into a pipe, and tests). */
export const silentProgress: ProgressSink = {
  note() {},
  workloadStarted() {},
  caseStarted() {},
  casePhase() {},
  roundStarted() {},
  sampleStarted() {},
  sampleEnded() {},
  caseEnded() {},
  done() {},
};

/** `m:ss`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** One case's name on a progress line. */
export function caseTitle(
  spec: Pick<CaseSpec, 'workload' | 'label' | 'workers' | 'items'>,
): string {
  const workers = `${spec.workers} worker${spec.workers === 1 ? '' : 's'}`;
  return `${WORKLOADS[spec.workload].label} · ${spec.label} · ${workers} · ${spec.items.toLocaleString('en-US')} items`;
}

function outcome(result: CaseResult): string {
  if (!result.ok) return `FAILED: ${result.error?.split('\n')[0]}`;
  const i = result.interval;
  const range = i && i.n > 1 ? ` (${i.low.toFixed(3)}–${i.high.toFixed(3)})` : '';
  const speedup = result.speedupInterval ? `, ${formatSpeedup(result.speedupInterval)}` : '';
  return `${result.seconds?.toFixed(3)} s${range}, median of ${result.samples}${speedup}`;
}

function shortName(spec: CaseSpec): string {
  return `${spec.label}×${spec.workers}`;
}

/** Writes progress to a stream: redraws one line on a TTY, plain lines otherwise. */
export class StreamProgress implements ProgressSink {
  private readonly started = performance.now();
  private caseStart = 0;
  private counter = '';
  private current = '';
  private detail = '';
  private workload = '';
  private round = '';
  /** The round's samples so far, for the plain-lines display. */
  private roundLine = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly tty: boolean,
  ) {}

  private elapsed(): string {
    return formatElapsed(performance.now() - this.started);
  }

  private redraw(): void {
    const caseSeconds = ((performance.now() - this.caseStart) / 1000).toFixed(1);
    // What changes comes first, so a narrow terminal cuts the (known) case title instead.
    const line = `[${this.elapsed()}] ${this.counter} ${this.detail} (${caseSeconds} s) · ${this.current}`;
    const width = (this.stream as { columns?: number }).columns ?? 120;
    this.stream.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
  }

  private clearLine(): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
  }

  note(text: string): void {
    this.clearLine();
    this.stream.write(`[${this.elapsed()}] ${text}\n`);
  }

  private startTicking(): void {
    if (!this.tty || this.timer) return;
    this.timer = setInterval(() => this.redraw(), 250);
    this.timer.unref();
  }

  private flushRound(): void {
    if (this.tty || this.roundLine === '') return;
    this.stream.write(`${this.roundLine}\n`);
    this.roundLine = '';
  }

  workloadStarted(workload: WorkloadId, cases: number, budgetSeconds: number): void {
    this.flushRound();
    this.workload = WORKLOADS[workload].label;
    this.note(
      `${this.workload}: ${cases} case${cases === 1 ? '' : 's'}, interleaved; budget ${Math.round(budgetSeconds)} s`,
    );
  }

  caseStarted(index: number, total: number, spec: CaseSpec): void {
    this.caseStart = performance.now();
    this.counter = `start ${index + 1}/${total}`;
    this.current = caseTitle(spec);
    this.detail = 'starting';
    if (!this.tty) return;
    this.redraw();
    this.startTicking();
  }

  casePhase(phase: string): void {
    this.detail = phase;
  }

  roundStarted(_workload: WorkloadId, round: number, cases: number): void {
    this.flushRound();
    this.round = round === 0 ? 'warm-up' : `round ${round}`;
    if (!this.tty)
      this.roundLine = `[${this.elapsed()}] ${this.workload} ${this.round} (${cases} cases):`;
  }

  sampleStarted(spec: CaseSpec): void {
    this.caseStart = performance.now();
    this.counter = `${this.workload} · ${this.round}`;
    this.current = caseTitle(spec);
    this.detail = 'sampling';
    if (this.tty) {
      this.redraw();
      this.startTicking();
    }
  }

  sampleEnded(spec: CaseSpec, seconds: number): void {
    if (!this.tty) this.roundLine += ` ${shortName(spec)} ${seconds.toFixed(3)}`;
  }

  caseEnded(result: CaseResult): void {
    this.flushRound();
    this.clearLine();
    const workers = `${result.workers} worker${result.workers === 1 ? '' : 's'}`;
    this.stream.write(
      `[${this.elapsed()}] ${WORKLOADS[result.workload].label} · ${result.label} · ${workers} → ${outcome(result)}\n`,
    );
  }

  done(): void {
    this.flushRound();
    clearInterval(this.timer);
    this.timer = undefined;
    this.clearLine();
  }
}
