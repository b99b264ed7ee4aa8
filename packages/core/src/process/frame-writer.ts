/**
 * The host's side of writing frames to a worker's channel: frames sent in one turn of the event
 * loop go out together, in one write (small frames copied into one buffer, large ones handed to
 * a single vectored write as they are), when the turn's synchronous code is done. Writes never
 * block the host: the socket queues what the pipe cannot take yet.
 */
import type { Socket } from 'node:net';

/** Frames up to this many bytes in all are merged into one buffer before the write. */
const MERGE_LIMIT_BYTES = 64 * 1024;

/** See {@link createSocketFrameWriter}. */
export interface SocketFrameWriter {
  /** Queues one encoded frame (its pieces); it is written at the end of the current turn. */
  write(frame: readonly Buffer[]): void;
}

/** A writer of frames onto `socket`; frames for a destroyed socket are dropped. */
export function createSocketFrameWriter(socket: Socket): SocketFrameWriter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const flush = (): void => {
    const pieces = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    if (socket.destroyed || !socket.writable) return;
    if (pieces.length === 1) {
      socket.write(pieces[0] as Buffer);
    } else if (bytes <= MERGE_LIMIT_BYTES) {
      socket.write(Buffer.concat(pieces, bytes));
    } else {
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
