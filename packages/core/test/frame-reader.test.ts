import { describe, expect, it } from 'vitest';
import { decodeFrameBody, encodeFrame } from '../src/process/frame-codec.js';
import { createFrameReader } from '../src/process/frame-reader.js';

const values = [
  { mh: 'manyhands/1', k: 'jobs', jobs: [[1, 0, 'noop', []]] },
  'x',
  new Float64Array(300).map((_, i) => i),
  new Map([[1n, new Set(['a'])]]),
];
const stream = Buffer.concat(values.flatMap(encodeFrame));

function readAll(chunks: Buffer[]): unknown[] {
  const out: unknown[] = [];
  const reader = createFrameReader((body) => out.push(decodeFrameBody(body)));
  for (const chunk of chunks) reader.push(chunk);
  expect(reader.pendingBytes).toBe(0);
  return out;
}

describe('frame reader', () => {
  it('gives back every frame, whatever the chunks the stream arrives in', () => {
    expect(readAll([stream])).toStrictEqual(values);
    for (let size = 1; size <= 9; size++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      expect(readAll(chunks)).toStrictEqual(values);
    }
    for (let cut = 1; cut < stream.length; cut += 7) {
      expect(readAll([stream.subarray(0, cut), stream.subarray(cut)])).toStrictEqual(values);
    }
  });

  it('holds an unfinished frame until the rest arrives', () => {
    const out: unknown[] = [];
    const reader = createFrameReader((body) => out.push(decodeFrameBody(body)));
    const frame = Buffer.concat(encodeFrame('hello'));
    reader.push(frame.subarray(0, 6));
    expect(out).toStrictEqual([]);
    expect(reader.pendingBytes).toBe(6);
    reader.push(frame.subarray(6));
    expect(out).toStrictEqual(['hello']);
  });

  it('decodes frames read into one reused buffer with views of their own', () => {
    // The worker reads its channel into one buffer that every read overwrites: a typed array
    // or Buffer decoded from a frame read in place must not alias it.
    const small = [new Float64Array([1.5, -2, 3]), Buffer.from('abc'), new Uint8Array([9, 8])];
    const payloads = [...values, ...small, { nested: [new Int32Array([7, -7])] }];
    const bytes = Buffer.concat(payloads.flatMap(encodeFrame));
    for (const size of [7, 64, 1024, bytes.length]) {
      const shared = Buffer.alloc(size);
      const out: unknown[] = [];
      const reader = createFrameReader((body, inChunk) => out.push(decodeFrameBody(body, inChunk)));
      for (let at = 0; at < bytes.length; at += size) {
        const n = bytes.copy(shared, 0, at, at + size);
        reader.push(shared.subarray(0, n));
        shared.fill(0xee);
      }
      expect(out).toStrictEqual(payloads);
    }
  });
});
