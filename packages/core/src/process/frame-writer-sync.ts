/**
 * The worker's side of writing frames to its host: synchronous writes on the channel's file
 * descriptor, made at once, so that when a write returns the bytes are in the pipe and reach
 * the host even if the process ends right after (`process.exit` from a task, an uncaught
 * exception), and a long batch of jobs still delivers the results it flushes midway. (The
 * worker runtime already puts many results in one message.) When the pipe is full (the host is
 * busy), a write waits for it without spinning: short sleeps, growing — or, when bounded, keeps
 * what did not fit for the next call.
 */
import { writeSync, writevSync } from 'node:fs';
import { unwritten } from './unwritten.js';

/** Pieces up to this many bytes in all are merged into one buffer before the write. */
const MERGE_LIMIT_BYTES = 64 * 1024;
/** First and longest sleep between two attempts to write into a full pipe, in ms. */
const FIRST_BACKOFF_MS = 0.01;
const MAX_BACKOFF_MS = 0.1;
/** Errors that mean the host end is gone: nothing written any more can be delivered. */
const GONE = new Set(['EPIPE', 'ECONNRESET', 'EBADF', 'ENOTCONN']);

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** See {@link createSyncFrameWriter}. */
export interface SyncFrameWriter {
  /**
   * Writes one encoded frame (its pieces) now, after anything an earlier write left over.
   * Waits at most `limitMs` for a full pipe (unbounded by default); returns whether everything
   * is in the pipe. What is left is kept, and written first by the next call.
   */
  write(frame: readonly Buffer[], limitMs?: number): boolean;
  /** Writes what an earlier bounded write left over; same `limitMs` and result as `write`. */
  flush(limitMs?: number): boolean;
  /** Whether the host end is gone (a write failed with EPIPE or alike); writes are dropped. */
  readonly broken: boolean;
  /** Bytes that earlier bounded writes left over, not yet in the pipe. */
  readonly pendingBytes: number;
}

/** A writer of frames onto the (non-blocking) file descriptor `fd`. */
export function createSyncFrameWriter(fd: number): SyncFrameWriter {
  /** Pieces not yet written, in order; the first may be the rest of a partly written one. */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let broken = false;

  const flush = (limitMs = Number.POSITIVE_INFINITY): boolean => {
    if (broken) {
      pending = [];
      pendingBytes = 0;
      return false;
    }
    if (pending.length > 1 && pendingBytes <= MERGE_LIMIT_BYTES) {
      pending = [Buffer.concat(pending, pendingBytes)];
    }
    const deadline = performance.now() + limitMs;
    let backoff = FIRST_BACKOFF_MS;
    while (pending.length > 0) {
      let written: number;
      try {
        written =
          pending.length === 1 ? writeSync(fd, pending[0] as Buffer) : writevSync(fd, pending);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          if (performance.now() >= deadline) return false;
          Atomics.wait(sleeper, 0, 0, backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        if (code !== undefined && GONE.has(code)) {
          broken = true;
          pending = [];
          pendingBytes = 0;
          return false;
        }
        throw error;
      }
      backoff = FIRST_BACKOFF_MS;
      pendingBytes -= written;
      // Drop what was written, keep the rest (a partial write ends mid-piece).
      pending = unwritten(pending, written);
    }
    return true;
  };

  return {
    write(frame, limitMs) {
      for (const piece of frame) {
        pending.push(piece);
        pendingBytes += piece.length;
      }
      return flush(limitMs);
    },
    flush,
    get broken() {
      return broken;
    },
    get pendingBytes() {
      return pendingBytes;
    },
  };
}
