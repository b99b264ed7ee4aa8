import { describe, expect, it } from 'vitest';
import { decodeFrameBody, encodeFrame, FRAME_HEADER_BYTES } from '../src/process/frame-codec.js';

/** The body of an encoded frame, in a buffer of its own (as the reader assembles large frames). */
function assembled(value: unknown): Buffer {
  const frame = Buffer.concat(encodeFrame(value));
  expect(frame.readUInt32LE(0)).toBe(frame.length - FRAME_HEADER_BYTES);
  const body = Buffer.allocUnsafeSlow(frame.length - FRAME_HEADER_BYTES);
  frame.copy(body, 0, FRAME_HEADER_BYTES);
  return body;
}

describe('frame codec', () => {
  it('round-trips every kind of view, keeping its type and bytes', () => {
    const views = [
      new Int8Array([-1, 2]),
      new Uint8Array([1, 2, 3]),
      new Uint8ClampedArray([255]),
      new Int16Array([-3]),
      new Uint16Array([3]),
      new Int32Array([-5]),
      new Uint32Array([5]),
      new Float32Array([0.5]),
      new Float64Array([0.25, Number.NaN]),
      new BigInt64Array([-7n]),
      new BigUint64Array([7n]),
      new DataView(new Uint8Array([9, 8, 7]).buffer, 1, 2),
      Buffer.from('buffer stays a Buffer'),
      new Float64Array(10_000).map((_, i) => i / 3),
      new Uint8Array(new ArrayBuffer(20_000), 3, 9_000).fill(4),
    ];
    const decoded = decodeFrameBody(assembled({ views, twice: [views[1], views[1]] })) as {
      views: ArrayBufferView[];
      twice: Uint8Array[];
    };
    decoded.views.forEach((view, i) => {
      const original = views[i] as ArrayBufferView;
      expect(view.constructor).toBe(original.constructor);
      const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      const expected = Buffer.from(original.buffer, original.byteOffset, original.byteLength);
      expect(Buffer.compare(bytes, expected), original.constructor.name).toBe(0);
    });
    expect(decoded.twice[0]).toBe(decoded.twice[1]);
  });

  it('a large view is aligned in the frame and decoded in place, without a copy', () => {
    for (const prefix of ['', 'a', 'abc', 'abcdefg']) {
      const floats = new Float64Array(131_072).map((_, i) => i);
      const body = assembled({ prefix, floats });
      const decoded = decodeFrameBody(body) as { floats: Float64Array };
      expect(decoded.floats.buffer).toBe(body.buffer);
      expect(decoded.floats[131_071]).toBe(131_071);
    }
  });

  it('a small view read in place from a misaligned chunk is copied to an aligned one', () => {
    const frame = Buffer.concat(encodeFrame({ floats: new Float64Array([1.5, 2.5]) }));
    const chunk = Buffer.allocUnsafeSlow(frame.length + 1);
    frame.copy(chunk, 1);
    const decoded = decodeFrameBody(chunk.subarray(1 + FRAME_HEADER_BYTES)) as {
      floats: Float64Array;
    };
    expect([...decoded.floats]).toStrictEqual([1.5, 2.5]);
  });

  it('throws synchronously for a value that cannot be cloned', () => {
    expect(() => encodeFrame({ f: () => {} })).toThrow();
    expect(() => encodeFrame(Symbol('s'))).toThrow();
  });
});
