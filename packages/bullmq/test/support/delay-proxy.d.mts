/** A running delaying proxy. */
export interface DelayProxy {
  readonly host: string;
  readonly port: number;
  /** Closes the listener and every connection through it. */
  close(): Promise<void>;
}

/** Options of {@link startDelayProxy}. */
export interface DelayProxyOptions {
  /** Where to listen (port 0 picks a free one). */
  readonly listen: { readonly host: string; readonly port: number };
  /** Where to forward: TCP or a unix socket. */
  readonly target: { readonly host: string; readonly port: number } | { readonly path: string };
  /** One-way delay each way, ms (the round trip grows by twice this). */
  readonly delayMs?: number;
  /** Up to this many ms either side of `delayMs` (at most `delayMs`). */
  readonly jitterMs?: number;
}

/** Starts a TCP proxy that delays every chunk, keeping byte order per connection. */
export function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy>;
