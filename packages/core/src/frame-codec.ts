/**
 * One message as one frame of the process channel: a 4-byte little-endian body length, then
 * the body in V8's serialization format (what `v8.serialize` writes, so the same structured
 * clone as Node's IPC with `serialization: 'advanced'`: BigInt, Map, Set, Date, typed arrays,
 * errors with `cause`). The length is reserved in the serializer's own buffer and filled in
 * after, so encoding copies the message once and allocates one buffer.
 */
import { DefaultDeserializer, DefaultSerializer } from 'node:v8';

/** Bytes of a frame's length prefix. */
export const FRAME_HEADER_BYTES = 4;

const RESERVED = Buffer.alloc(FRAME_HEADER_BYTES);

/**
 * Encodes `value` as one frame (length prefix included). Throws synchronously, like
 * `v8.serialize`, when the value cannot be cloned (a function, a symbol, a class with private
 * state…).
 */
export function encodeFrame(value: unknown): Buffer {
  const serializer = new DefaultSerializer();
  serializer.writeRawBytes(RESERVED);
  serializer.writeHeader();
  serializer.writeValue(value);
  const frame = serializer.releaseBuffer();
  frame.writeUInt32LE(frame.length - FRAME_HEADER_BYTES, 0);
  return frame;
}

/**
 * Decodes a frame's body (without its length prefix). Typed arrays in it may be views of
 * `body`'s memory rather than copies (as `v8.deserialize` does), so `body` must not be reused.
 */
export function decodeFrameBody(body: Buffer): unknown {
  const deserializer = new DefaultDeserializer(body);
  deserializer.readHeader();
  return deserializer.readValue();
}
