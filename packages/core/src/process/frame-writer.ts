/**
 * The host's side of writing frames to a worker's channel: frames sent in one turn of the event
 * loop go out together, in one write (small frames copied into one buffer, large ones handed to
 * a single vectored write as they are), when the turn's synchronous code is done. Writes never
 * block the host.
 *
 * The write is made straight on the socket's file descriptor when the socket has nothing
 * queued (a pipe with room takes it at once, without a pass through the stream machinery:
 * a few microseconds of every round trip); whatever the pipe cannot take yet goes to the
 * socket, which queues it and writes it when the pipe drains, in order.
 */
import { writeSync, writevSync } from 'node:fs';
import type { Socket } from 'node:net';
import { unwritten } from './unwritten.js';

/** Frames up to this many bytes in all are merged into one buffer before the write. */
const MERGE_LIMIT_BYTES = 64 * 1024;

/** See {@link createSocketFrameWriter}. */
export interface SocketFrameWriter {
  /** Queues one encoded frame (its pieces); it is written at the end of the current turn. */
  write(frame: readonly Buffer[]): void;
}

/** The socket's file descriptor, when it has one (a pipe or Unix socket on POSIX). */
function descriptorOf(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Writes what the non-blocking `fd` takes now; returns the pieces left (all of them when the
 * pipe is full or the write failed: the socket then reports the failure, if any).
 */
function writeNow(fd: number, pieces: Buffer[]): Buffer[] {
  let written: number;
  try {
    written = pieces.length === 1 ? writeSync(fd, pieces[0] as Buffer) : writevSync(fd, pieces);
  } catch {
    return pieces;
  }
  return unwritten(pieces, written);
}

/** A writer of frames onto `socket`; frames for a destroyed socket are dropped. */
export function createSocketFrameWriter(socket: Socket): SocketFrameWriter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const flush = (): void => {
    let pieces = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    if (socket.destroyed || !socket.writable) return;
    if (pieces.length > 1 && bytes <= MERGE_LIMIT_BYTES) pieces = [Buffer.concat(pieces, bytes)];
    const fd = socket.writableLength === 0 ? descriptorOf(socket) : undefined;
    if (fd !== undefined) pieces = writeNow(fd, pieces);
    if (pieces.length === 1) {
      socket.write(pieces[0] as Buffer);
    } else if (pieces.length > 1) {
      socket.cork();
      for (const piece of pieces) socket.write(piece);
      socket.uncork();
    }
  };

  return {
    write(frame) {
      if (pending.length === 0) queueMicrotask(flush);
      for (const piece of frame) {
        pending.push(piece);
        pendingBytes += piece.length;
      }
    },
  };
}
