/**
 * The live progress display on stderr: which case, how far, elapsed. On a terminal one line is
 * redrawn in place; elsewhere (CI logs, pipes) each case gets plain lines.
 */
import type { CaseSpec } from './plan.js';
import type { CaseResult } from './report.js';
import { WORKLOADS } from './workloads.js';

/** What the runner reports as it goes. */
export interface ProgressSink {
  note(text: string): void;
  caseStarted(index: number, total: number, spec: CaseSpec): void;
  casePhase(phase: string): void;
  caseSample(done: number, total: number): void;
  caseEnded(result: CaseResult): void;
  done(): void;
}

/** A progress sink that shows nothing (for `--json` into a pipe, and tests). */
export const silentProgress: ProgressSink = {
  note() {},
  caseStarted() {},
  casePhase() {},
  caseSample() {},
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
  return `${result.seconds?.toFixed(3)} s (median of ${result.samples})`;
}

/** Writes progress to a stream: redraws one line on a TTY, plain lines otherwise. */
export class StreamProgress implements ProgressSink {
  private readonly started = performance.now();
  private caseStart = 0;
  private counter = '';
  private current = '';
  private detail = '';
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

  caseStarted(index: number, total: number, spec: CaseSpec): void {
    this.caseStart = performance.now();
    this.counter = `${index + 1}/${total}`;
    this.current = caseTitle(spec);
    this.detail = 'starting';
    if (!this.tty) {
      this.stream.write(`[${this.elapsed()}] ${this.counter} ${this.current} …\n`);
      return;
    }
    this.redraw();
    this.timer = setInterval(() => this.redraw(), 250);
    this.timer.unref();
  }

  casePhase(phase: string): void {
    this.detail = phase;
  }

  caseSample(done: number, total: number): void {
    this.detail = `sample ${done}/${total}`;
  }

  caseEnded(result: CaseResult): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clearLine();
    this.stream.write(`[${this.elapsed()}] ${this.counter} ${this.current} → ${outcome(result)}\n`);
  }

  done(): void {
    clearInterval(this.timer);
    this.clearLine();
  }
}
