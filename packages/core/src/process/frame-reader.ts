/**
 * Splits the byte stream of the process channel back into frame bodies (see `frame-codec.ts`).
 * A frame that lies within one chunk is handed on as a view of that chunk (no copy), and says
 * so (`inChunk`: a reader whose chunks share one reused buffer must decode it with copied
 * views); a frame spread over chunks is copied once, straight into a buffer of its final size.
 */
import { FRAME_HEADER_BYTES } from './frame-codec.js';

/** See {@link createFrameReader}. */
export interface FrameReader {
  /** Feeds the next chunk read from the channel; calls `onBody` for each frame it completes. */
  push(chunk: Buffer): void;
  /** Bytes of an unfinished frame held (0 at a frame boundary). */
  readonly pendingBytes: number;
}

/** A reader that calls `onBody` with each complete frame's body, in order. */
export function createFrameReader(onBody: (body: Buffer, inChunk: boolean) => void): FrameReader {
  /** The frame being assembled across chunks, allocated at its full size. */
  let partial: Buffer | undefined;
  let filled = 0;
  /** The first bytes of a length prefix split across chunks. */
  let head: Buffer | undefined;

  const push = (input: Buffer): void => {
    let chunk = input;
    if (partial) {
      const taken = Math.min(partial.length - filled, chunk.length);
      chunk.copy(partial, filled, 0, taken);
      filled += taken;
      if (filled < partial.length) return;
      const body = partial;
      partial = undefined;
      onBody(body, false);
      chunk = chunk.subarray(taken);
    }
    let inChunk = true;
    if (head) {
      // Rare (a prefix split across reads): the copy is of one chunk at most.
      chunk = Buffer.concat([head, chunk]);
      head = undefined;
      inChunk = false;
    }
    let offset = 0;
    while (chunk.length - offset >= FRAME_HEADER_BYTES) {
      const size = chunk.readUInt32LE(offset);
      const start = offset + FRAME_HEADER_BYTES;
      if (chunk.length - start >= size) {
        offset = start + size;
        onBody(chunk.subarray(start, offset), inChunk);
        continue;
      }
      partial = Buffer.allocUnsafeSlow(size);
      filled = chunk.copy(partial, 0, start);
      return;
    }
    if (offset < chunk.length) head = Buffer.from(chunk.subarray(offset));
  };

  return {
    push,
    get pendingBytes() {
      return (partial ? filled + FRAME_HEADER_BYTES : 0) + (head?.length ?? 0);
    },
  };
}
