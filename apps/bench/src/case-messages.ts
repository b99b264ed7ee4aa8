/** Messages between the runner and a case process, over IPC. */
import type { PassSample } from './measure.js';

/** One message from a case process. */
export type CaseMessage =
  | { readonly type: 'phase'; readonly phase: string }
  /** Started and warmed up: ready for `sample` commands. */
  | { readonly type: 'ready' }
  /** The answer to one `sample` command. */
  | ({ readonly type: 'sampled' } & PassSample)
  /** The answer to `close`: the subject is closed, the process exits next. */
  | {
      readonly type: 'closed';
      readonly ownPeakRssKb: number;
      readonly latencyMs?: { readonly p50: number; readonly p99: number } | undefined;
    }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string | undefined };

/** One command from the runner to a case process (one at a time, each answered). */
export type CaseCommand = { readonly type: 'sample' } | { readonly type: 'close' };

/** A readable message for anything thrown, including the plain objects some libraries reject with. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  try {
    return `${Object.prototype.toString.call(error)} ${JSON.stringify(error)}`;
  } catch {
    return String(error);
  }
}
