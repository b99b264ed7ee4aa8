/** Messages a case process sends the runner over IPC. */
import type { Measurement } from './measure.js';

/** One message from a case process. */
export type CaseMessage =
  | { readonly type: 'phase'; readonly phase: string }
  | { readonly type: 'sample'; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly measurement: Measurement; readonly ownPeakRssKb: number }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string | undefined };

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
