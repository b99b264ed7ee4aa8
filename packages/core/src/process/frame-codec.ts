/**
 * One message as one frame of the process channel: a 4-byte little-endian body length, then
 * the body: small plain messages in the compact encoding of `fast-codec.ts`, everything else
 * in V8's serialization format (the same structured clone as Node's IPC with
 * `serialization: 'advanced'`: BigInt, Map, Set, Date, typed arrays, errors with `cause`).
 *
 * Typed arrays, Buffers and DataViews are written the way Node's own serializer writes them
 * (a type, a length, the bytes), plus a few bytes of padding so that their bytes start at a
 * multiple of 8 within the body. A reader that assembles a frame in a buffer of its own (as
 * `frame-reader.ts` does for every frame larger than a chunk) then hands out views of that
 * buffer: a `Float64Array` of megabytes is copied once on each side, into the frame and out of
 * the pipe, never a second time to align it. A large view ends one piece of the frame and its
 * bytes start the next, so the frame is written as a few buffers, never concatenated.
 */
import { DefaultDeserializer, DefaultSerializer } from 'node:v8';
import { decodeFast, encodeFast, FAST_BODY, FRAME_HEADER_BYTES } from './fast-codec.js';

export { FRAME_HEADER_BYTES };

/** Views at least this large are aligned within the frame (smaller ones are not worth it). */
const ALIGN_MIN_BYTES = 4096;
const ALIGNMENT = 8;

const RESERVED = Buffer.alloc(FRAME_HEADER_BYTES);
const PADDING = Buffer.alloc(ALIGNMENT);

type ViewConstructor = new (
  buffer: ArrayBuffer,
  byteOffset: number,
  length: number,
) => ArrayBufferView;

/** The view types, by the index Node's serializer gives them (Buffer is 10). */
const VIEW_TYPES: readonly ViewConstructor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  DataView,
  Buffer as unknown as ViewConstructor,
  BigInt64Array,
  BigUint64Array,
];
const BUFFER_TYPE = 10;

function viewType(view: ArrayBufferView): number {
  if (Buffer.isBuffer(view)) return BUFFER_TYPE;
  // A subclass travels as the built-in type it extends, as with Node's serializer.
  for (
    let proto = Object.getPrototypeOf(view);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    const index = VIEW_TYPES.indexOf(proto.constructor as ViewConstructor);
    if (index >= 0 && index !== BUFFER_TYPE) return index;
  }
  throw new TypeError(`Cannot serialize a ${view.constructor.name}.`);
}

/** Node's serializer, with views' bytes aligned in the frame; keeps the pieces it released. */
class FrameSerializer extends DefaultSerializer {
  readonly pieces: Buffer[] = [];
  private released = 0;

  /** Called by V8 for each view (Node's serializer treats views as host objects). */
  _writeHostObject(view: ArrayBufferView): void {
    this.writeUint32(viewType(view));
    this.writeUint32(view.byteLength);
    let pad = 0;
    if (view.byteLength >= ALIGN_MIN_BYTES) {
      // Where the bytes would start, counted from the body: what is released, plus one byte
      // (the padding's length) — so release what is written so far to learn it.
      const piece = this.releaseBuffer();
      this.pieces.push(piece);
      this.released += piece.length;
      pad = (ALIGNMENT - ((this.released - FRAME_HEADER_BYTES + 1) % ALIGNMENT)) % ALIGNMENT;
    }
    this.writeUint32(pad);
    if (pad > 0) this.writeRawBytes(PADDING.subarray(0, pad));
    this.writeRawBytes(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }

  /** The frame's pieces, its length prefix filled in. */
  finish(): Buffer[] {
    const last = this.releaseBuffer();
    const pieces = this.pieces;
    pieces.push(last);
    const first = pieces[0] as Buffer;
    first.writeUInt32LE(this.released + last.length - FRAME_HEADER_BYTES, 0);
    return pieces;
  }
}

/** Node's deserializer for frames written by {@link encodeFrame}. */
class FrameDeserializer extends DefaultDeserializer {
  private readonly body: Buffer;
  private readonly copyViews: boolean;

  constructor(body: Buffer, copyViews: boolean) {
    super(body);
    this.body = body;
    this.copyViews = copyViews;
  }

  /** Called by V8 for each view the serializer wrote. */
  _readHostObject(): ArrayBufferView {
    const type = this.readUint32();
    const ctor = VIEW_TYPES[type];
    if (!ctor) throw new TypeError(`Unknown view type ${type} in a frame.`);
    const byteLength = this.readUint32();
    const pad = this.readUint32();
    if (pad > 0) this.readRawBytes(pad);
    // A view of the body, not a copy (unless the body's memory is reused after decoding).
    const offset = this.readRawBytes(byteLength).byteOffset;
    const size = (ctor as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    if (!this.copyViews) {
      if (type === BUFFER_TYPE) return Buffer.from(this.body.buffer, offset, byteLength);
      if (offset % size === 0)
        return new ctor(this.body.buffer as ArrayBuffer, offset, byteLength / size);
    }
    // A view in a frame read in place from a chunk: copy it to a buffer of its own (aligned).
    const copy = new Uint8Array(byteLength);
    copy.set(
      this.body.subarray(offset - this.body.byteOffset, offset - this.body.byteOffset + byteLength),
    );
    if (type === BUFFER_TYPE) return Buffer.from(copy.buffer, 0, byteLength);
    return new ctor(copy.buffer, 0, byteLength / size);
  }
}

/**
 * Encodes `value` as one frame, in one or more pieces to be written in order (the first holds
 * the length prefix). Throws synchronously, like `v8.serialize`, when the value cannot be
 * cloned (a function, a symbol, a class with private state…).
 */
export function encodeFrame(value: unknown): Buffer[] {
  const fast = encodeFast(value);
  if (fast) return [fast];
  const serializer = new FrameSerializer();
  serializer.writeRawBytes(RESERVED);
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.finish();
}

/**
 * Decodes a frame's body (without its length prefix). Typed arrays and Buffers in it are views
 * of `body`'s memory rather than copies, so `body` must not be reused — unless `copyViews` is
 * set (for a body read in place from a buffer that the next read overwrites).
 */
export function decodeFrameBody(body: Buffer, copyViews = false): unknown {
  if (body[0] === FAST_BODY) return decodeFast(body);
  const deserializer = new FrameDeserializer(body, copyViews);
  deserializer.readHeader();
  return deserializer.readValue();
}
