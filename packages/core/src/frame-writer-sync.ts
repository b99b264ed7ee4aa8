/**
 * The worker's side of writing frames to its host: synchronous writes on the channel's file
 * descriptor, so that once a flush returns the bytes are in the pipe and reach the host even if
 * the process ends right after (`process.exit` from a task, an uncaught exception). Frames
 * posted in one turn are coalesced into one write at the end of the turn's synchronous code;
 * `flushSync` writes them at once. When the pipe is full (the host is busy), the write waits
 * for it without spinning: short sleeps, growing.
 */
import { writeSync, writevSync } from 'node:fs';

/** Frames up to this many bytes in all are merged into one buffer before the write. */
const MERGE_LIMIT_BYTES = 64 * 1024;
/** Longest sleep between two attempts to write into a full pipe, in ms. */
const MAX_BACKOFF_MS = 0.1;
/** Errors that mean the host end is gone: nothing written any more can be delivered. */
const GONE = new Set(['EPIPE', 'ECONNRESET', 'EBADF', 'ENOTCONN']);

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** See {@link createSyncFrameWriter}. */
export interface SyncFrameWriter {
  /** Queues one encoded frame (its pieces); it is written at the end of the current turn. */
  write(frame: readonly Buffer[]): void;
  /**
   * Writes every queued frame now. Waits at most `limitMs` for a full pipe to take them
   * (unbounded by default); returns whether everything was written.
   */
  flushSync(limitMs?: number): boolean;
  /** Whether the host end is gone (a write failed with EPIPE or alike). */
  readonly broken: boolean;
}

/** A writer of frames onto the (non-blocking) file descriptor `fd`. */
export function createSyncFrameWriter(fd: number): SyncFrameWriter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let scheduled = false;
  let broken = false;

  /** Writes all of `buffers`, retrying partial writes and waiting while the pipe is full. */
  const writeAll = (buffers: Buffer[], deadline: number): boolean => {
    let backoff = 0.01;
    let first = 0;
    while (first < buffers.length) {
      let written: number;
      try {
        written =
          first === buffers.length - 1
            ? writeSync(fd, buffers[first] as Buffer)
            : writevSync(fd, first === 0 ? buffers : buffers.slice(first));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          if (performance.now() > deadline) return false;
          Atomics.wait(sleeper, 0, 0, backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        if (code !== undefined && GONE.has(code)) {
          broken = true;
          return false;
        }
        throw error;
      }
      backoff = 0.01;
      // Drop what was written, keep the rest (a partial write ends mid-buffer).
      while (first < buffers.length && written >= (buffers[first] as Buffer).length) {
        written -= (buffers[first] as Buffer).length;
        first++;
      }
      if (written > 0) buffers[first] = (buffers[first] as Buffer).subarray(written);
    }
    return true;
  };

  const flushSync = (limitMs = Number.POSITIVE_INFINITY): boolean => {
    scheduled = false;
    if (pending.length === 0) return true;
    const frames = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    if (broken) return false;
    const buffers =
      frames.length > 1 && bytes <= MERGE_LIMIT_BYTES ? [Buffer.concat(frames, bytes)] : frames;
    return writeAll(buffers, performance.now() + limitMs);
  };

  return {
    write(frame) {
      for (const piece of frame) {
        pending.push(piece);
        pendingBytes += piece.length;
      }
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(() => {
          if (scheduled) flushSync();
        });
      }
    },
    flushSync,
    get broken() {
      return broken;
    },
  };
}
