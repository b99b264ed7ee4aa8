/**
 * A compact encoding for the process channel's messages of plain values (calls, their results,
 * "went async" notes), which V8's serializer makes costly: a `v8.Serializer` per message, a
 * `Buffer` of external memory per message and a weak handle to collect, ~20 µs of every round
 * trip on this machine's measurements. Worse, a `v8.Deserializer` keeps every object it read
 * alive until its own wrapper is collected, which a young-generation GC does not do: a batch of
 * a thousand calls or results read through it is copied by scavenges and promoted to the old
 * generation, for the next full GC to free. Measured, decoding 3,000 batches of 1,000 calls:
 * V8's deserializer 1,336 ms, 18.7 MB promoted, 678 ms of GC pauses; this decoder 545 ms,
 * 0.5 MB, 36 ms. Of 1,000 BigInt results: 1,107 ms, 22 MB, 516 ms; here 1,106 ms, 0.5 MB, 62 ms.
 *
 * It covers only values whose structured clone is plain and exact in this format —
 * `undefined`, `null`, booleans, numbers (`-0` and `NaN` kept), strings, BigInts, dense arrays
 * and plain objects, small, without shared references — and declines anything else
 * (`encodeFast` returns `undefined`), so the caller sends that message through V8's serializer
 * instead, unchanged. A fast body starts with {@link FAST_BODY}; V8's always starts with its
 * version tag (0xFF), so a reader tells them apart by the first byte. The envelope of the two
 * messages of every call (`jobs`, `results`) is written as a tag of its own, its lists (of any
 * length, up to a 1 MB body) and tuples read without the checks a caller's value needs (see
 * {@link writeEnvelope}); each caller's value inside is held to the limits of a small value.
 *
 * The decoder treats its input as untrusted: every length is checked against the bytes that
 * are left, and a malformed body throws.
 */

import { isProxy } from 'node:util/types';
import { BRAND } from '../wire/protocol.js';

/** Bytes of a frame's length prefix (little-endian body length), for every frame. */
export const FRAME_HEADER_BYTES = 4;
/** First byte of a fast body (V8's serializer starts with 0xFF). */
export const FAST_BODY = 0x01;

enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Int32 = 4,
  Float64 = 5,
  String = 6,
  Array = 7,
  Object = 8,
  BigInt = 9,
  /** A `jobs` message (see {@link writeEnvelope}): its `jobs` array follows. */
  Jobs = 10,
  /** A `results` message with its usual keys: `results`, `async` and `given` follow. */
  Results = 11,
}

/** Longest string, array and object (keys) the fast encoding takes. */
const MAX_STRING = 1024;
const MAX_ARRAY = 64;
const MAX_KEYS = 16;
/** Most values (of any kind) in one caller's value (an argument, a result), and deepest nesting. */
const MAX_VALUES = 256;
const MAX_DEPTH = 8;
/** Most entries in one of the envelope's lists (jobs, results, "went async" notes, given back). */
const MAX_LIST = 65_536;
/** Size of the scratch buffer a message is written into at first (it grows as needed). */
const SCRATCH_BYTES = 16 * 1024;
/** Largest fast body: a message that does not fit is declined. */
const MAX_FAST_BYTES = 1024 * 1024;

let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
/**
 * The scratch buffer's numbers are written through a `DataView` (a builtin, fast even before V8
 * has compiled the encoder, where `Buffer`'s write methods are JavaScript of their own).
 */
let view = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Thrown inside the encoder when a value is not for the fast path (never escapes). */
const DECLINE = Symbol('decline');

interface Writer {
  at: number;
  /** Values written so far of the caller's value being written. */
  values: number;
  /** Caller's objects and arrays written so far: a second reference to one is declined. */
  seen: Set<object> | undefined;
}

/** Makes room for `bytes` more in the scratch buffer (growing it), or declines the message. */
function room(w: Writer, bytes: number): void {
  const end = w.at + bytes;
  if (end <= scratch.length) return;
  if (end > MAX_FAST_BYTES) throw DECLINE;
  let size = scratch.length * 2;
  while (size < end) size *= 2;
  const grown = Buffer.allocUnsafeSlow(Math.min(size, MAX_FAST_BYTES));
  scratch.copy(grown, 0, 0, w.at);
  scratch = grown;
  view = new DataView(grown.buffer, grown.byteOffset, grown.length);
}

function writeString(w: Writer, text: string): void {
  if (text.length > MAX_STRING) throw DECLINE;
  room(w, 4 + text.length * 2);
  const bytes = scratch.write(text, w.at + 4, 'utf16le');
  view.setUint32(w.at, bytes, true);
  w.at += 4 + bytes;
}

function writeValue(w: Writer, value: unknown, depth: number): void {
  if (++w.values > MAX_VALUES || depth > MAX_DEPTH) throw DECLINE;
  switch (typeof value) {
    case 'undefined':
      room(w, 1);
      scratch[w.at++] = Tag.Undefined;
      return;
    case 'boolean':
      room(w, 1);
      scratch[w.at++] = value ? Tag.True : Tag.False;
      return;
    case 'number':
      if (
        Number.isInteger(value) &&
        value >= INT32_MIN &&
        value <= INT32_MAX &&
        !Object.is(value, -0)
      ) {
        room(w, 5);
        scratch[w.at] = Tag.Int32;
        view.setInt32(w.at + 1, value, true);
        w.at += 5;
      } else {
        room(w, 9);
        scratch[w.at] = Tag.Float64;
        view.setFloat64(w.at + 1, value, true);
        w.at += 9;
      }
      return;
    case 'string':
      room(w, 1);
      scratch[w.at++] = Tag.String;
      writeString(w, value);
      return;
    case 'bigint': {
      const negative = value < 0n;
      const hex = (negative ? -value : value).toString(16);
      if (hex.length > MAX_STRING) throw DECLINE;
      // Written with its `0x` prefix, so the reader parses the bytes as they are (no string
      // concatenated per value).
      room(w, 8 + hex.length);
      scratch[w.at] = Tag.BigInt;
      scratch[w.at + 1] = negative ? 1 : 0;
      view.setUint32(w.at + 2, hex.length + 2, true);
      scratch[w.at + 6] = 0x30; // '0'
      scratch[w.at + 7] = 0x78; // 'x'
      scratch.write(hex, w.at + 8, 'latin1');
      w.at += 8 + hex.length;
      return;
    }
    case 'object':
      if (value === null) {
        room(w, 1);
        scratch[w.at++] = Tag.Null;
        return;
      }
      // A Proxy (its traps would run here, where V8's serializer refuses it) and a second
      // reference to one object (structured clone keeps the sharing) go to V8's serializer.
      if (isProxy(value) || w.seen?.has(value)) throw DECLINE;
      w.seen ??= new Set();
      w.seen.add(value);
      if (Array.isArray(value)) {
        writeArray(w, value, depth);
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) throw DECLINE;
      writeObject(w, value as Record<string, unknown>, depth);
      return;
    default:
      // Functions and symbols: V8's serializer throws the error the caller expects.
      throw DECLINE;
  }
}

function writeArray(w: Writer, array: unknown[], depth: number): void {
  const length = array.length;
  if (length > MAX_ARRAY || Object.getPrototypeOf(array) !== Array.prototype) throw DECLINE;
  // Only a dense array without extra properties reads back the same. Its keys list indices
  // first: as many keys as elements, the last being the last index, means exactly the indices.
  const keys = Object.keys(array);
  if (keys.length !== length || (length > 0 && keys[length - 1] !== String(length - 1))) {
    throw DECLINE;
  }
  room(w, 5);
  scratch[w.at] = Tag.Array;
  view.setUint32(w.at + 1, length, true);
  w.at += 5;
  for (let i = 0; i < length; i++) writeValue(w, dataValue(array, keys[i] as string), depth + 1);
}

function writeObject(w: Writer, object: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(object);
  if (keys.length > MAX_KEYS) throw DECLINE;
  room(w, 5);
  scratch[w.at] = Tag.Object;
  view.setUint32(w.at + 1, keys.length, true);
  w.at += 5;
  for (const key of keys) {
    const value = dataValue(object, key);
    writeString(w, key);
    writeValue(w, value, depth + 1);
  }
}

/**
 * The value of an own data property. An accessor is declined unread: V8's serializer then runs
 * the getter, once, as structured clone does (reading it here too would run it twice).
 */
function dataValue(holder: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  if (descriptor === undefined || !('value' in descriptor)) throw DECLINE;
  return descriptor.value;
}

/**
 * Writes an array that the scheduler or the worker runtime built (a list of jobs or results, a
 * job's or a result's tuple): read directly, with no check for accessors, holes or a Proxy,
 * since it has none. Its elements go through `element` (the careful writer for what may be a
 * caller's value).
 */
function writeOwnArray(
  w: Writer,
  array: readonly unknown[],
  depth: number,
  limit: number,
  element: (w: Writer, value: unknown, depth: number) => void,
): void {
  const length = array.length;
  if (length > limit) throw DECLINE;
  room(w, 5);
  scratch[w.at] = Tag.Array;
  view.setUint32(w.at + 1, length, true);
  w.at += 5;
  for (let i = 0; i < length; i++) element(w, array[i], depth + 1);
}

/** A caller's value inside the envelope: it has {@link MAX_VALUES} values of its own. */
function writeCallerValue(w: Writer, value: unknown, depth: number): void {
  w.values = 0;
  writeValue(w, value, depth);
}

function writeTuple(w: Writer, tuple: unknown, depth: number): void {
  if (!Array.isArray(tuple)) throw DECLINE;
  writeOwnArray(w, tuple, depth, MAX_ARRAY, writeCallerValue);
}

/**
 * The two messages of every call, written without their envelope: a `jobs` message from the
 * scheduler and a `results` message from the worker runtime with its usual keys (`results`,
 * `async`, `given`). Their object, lists and tuples are built by our own code, so they are read
 * directly; the values inside the tuples (a call's arguments, a task's result) are a caller's,
 * and go through the careful writer. The reader rebuilds the same object. Returns whether
 * `value` was such a message.
 */
function writeEnvelope(w: Writer, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as { mh?: unknown; k?: unknown };
  if (message.mh !== BRAND || isProxy(value)) return false;
  const keys = Object.keys(value).length;
  if (message.k === 'jobs' && keys === 3) {
    const { jobs } = value as { jobs?: unknown };
    if (!Array.isArray(jobs)) return false;
    room(w, 1);
    scratch[w.at++] = Tag.Jobs;
    writeOwnArray(w, jobs, 1, MAX_LIST, writeTuple);
    return true;
  }
  if (message.k === 'results' && keys === 5) {
    const { results, async, given } = value as {
      results?: unknown;
      async?: unknown;
      given?: unknown;
    };
    if (
      !Array.isArray(results) ||
      !Array.isArray(async) ||
      !(given === undefined || Array.isArray(given))
    ) {
      return false;
    }
    room(w, 1);
    scratch[w.at++] = Tag.Results;
    writeOwnArray(w, results, 1, MAX_LIST, writeTuple);
    writeOwnArray(w, async, 1, MAX_LIST, writeCallerValue);
    if (given === undefined) writeValue(w, undefined, 1);
    else writeOwnArray(w, given, 1, MAX_LIST, writeCallerValue);
    return true;
  }
  return false;
}

/**
 * `value` as one fast frame (length prefix, {@link FAST_BODY}, the value), or `undefined` when
 * the value is not for the fast path (a getter among its properties is one). Never runs a
 * getter, so it never throws.
 */
export function encodeFast(value: unknown): Buffer | undefined {
  const prefixBytes = FRAME_HEADER_BYTES;
  const w: Writer = { at: prefixBytes + 1, values: 0, seen: undefined };
  try {
    if (!writeEnvelope(w, value)) writeValue(w, value, 0);
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
  view.setUint32(0, w.at - prefixBytes, true);
  scratch[prefixBytes] = FAST_BODY;
  const frame = Buffer.allocUnsafe(w.at);
  scratch.copy(frame, 0, 0, w.at);
  return frame;
}

interface Reader {
  readonly body: Buffer;
  /** The body's numbers, read through a builtin (see {@link view}). */
  readonly view: DataView;
  at: number;
  values: number;
}

function malformed(): never {
  throw new TypeError('A malformed fast frame on the process channel.');
}

function need(r: Reader, bytes: number): void {
  if (r.at + bytes > r.body.length) malformed();
}

function readString(r: Reader): string {
  need(r, 4);
  const bytes = r.view.getUint32(r.at, true);
  r.at += 4;
  if (bytes % 2 !== 0) malformed();
  need(r, bytes);
  const text = r.body.toString('utf16le', r.at, r.at + bytes);
  r.at += bytes;
  return text;
}

function readValue(r: Reader, depth: number): unknown {
  if (++r.values > MAX_VALUES || depth > MAX_DEPTH) malformed();
  need(r, 1);
  const tag = r.body[r.at++];
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Int32: {
      need(r, 4);
      const n = r.view.getInt32(r.at, true);
      r.at += 4;
      return n;
    }
    case Tag.Float64: {
      need(r, 8);
      const n = r.view.getFloat64(r.at, true);
      r.at += 8;
      return n;
    }
    case Tag.String:
      return readString(r);
    case Tag.BigInt: {
      need(r, 5);
      const negative = r.body[r.at] === 1;
      const length = r.view.getUint32(r.at + 1, true);
      r.at += 5;
      if (length < 3 || length > MAX_STRING + 2) malformed();
      need(r, length);
      const text = r.body.toString('latin1', r.at, r.at + length);
      r.at += length;
      if (!/^0x[0-9a-f]+$/.test(text)) malformed();
      const magnitude = BigInt(text);
      return negative ? -magnitude : magnitude;
    }
    case Tag.Array: {
      need(r, 4);
      const length = r.view.getUint32(r.at, true);
      r.at += 4;
      if (length > MAX_ARRAY) malformed();
      const array = new Array<unknown>(length);
      for (let i = 0; i < length; i++) array[i] = readValue(r, depth + 1);
      return array;
    }
    case Tag.Object: {
      need(r, 4);
      const count = r.view.getUint32(r.at, true);
      r.at += 4;
      if (count > MAX_KEYS) malformed();
      const object: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const key = readString(r);
        const value = readValue(r, depth + 1);
        if (key === '__proto__') {
          // An own `__proto__` key, as structured clone gives it (never the prototype).
          Object.defineProperty(object, key, {
            value,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        } else {
          object[key] = value;
        }
      }
      return object;
    }
    default:
      return malformed();
  }
}

/** A caller's value inside the envelope (see {@link writeCallerValue}). */
function readCallerValue(r: Reader, depth: number): unknown {
  r.values = 0;
  return readValue(r, depth);
}

/**
 * One of the envelope's arrays (a list, or a tuple of the list) at `depth`, its elements read
 * by `element`, or a malformed frame.
 */
function readOwnArray(
  r: Reader,
  depth: number,
  limit: number,
  element: (r: Reader, depth: number) => unknown,
): unknown[] {
  need(r, 5);
  if (r.body[r.at] !== Tag.Array) malformed();
  const length = r.view.getUint32(r.at + 1, true);
  r.at += 5;
  // Every element takes at least a byte.
  if (length > limit || length > r.body.length - r.at) malformed();
  const array = new Array<unknown>(length);
  for (let i = 0; i < length; i++) array[i] = element(r, depth + 1);
  return array;
}

function readTuple(r: Reader, depth: number): unknown[] {
  return readOwnArray(r, depth, MAX_ARRAY, readCallerValue);
}

/** A message written by {@link writeEnvelope}, or `undefined` when the body holds a value. */
function readEnvelope(r: Reader): unknown {
  need(r, 1);
  const tag = r.body[r.at];
  if (tag === Tag.Jobs) {
    r.at++;
    return { mh: BRAND, k: 'jobs', jobs: readOwnArray(r, 1, MAX_LIST, readTuple) };
  }
  if (tag === Tag.Results) {
    r.at++;
    const results = readOwnArray(r, 1, MAX_LIST, readTuple);
    const async = readOwnArray(r, 1, MAX_LIST, readCallerValue);
    need(r, 1);
    const given =
      r.body[r.at] === Tag.Undefined
        ? readValue(r, 1)
        : readOwnArray(r, 1, MAX_LIST, readCallerValue);
    return { mh: BRAND, k: 'results', results, async, given };
  }
  return undefined;
}

/** Decodes a fast body (it starts with {@link FAST_BODY}); throws when it is malformed. */
export function decodeFast(body: Buffer): unknown {
  const r: Reader = {
    body,
    view: new DataView(body.buffer, body.byteOffset, body.byteLength),
    at: 1,
    values: 0,
  };
  const value = readEnvelope(r) ?? readValue(r, 0);
  if (r.at !== body.length) malformed();
  return value;
}
