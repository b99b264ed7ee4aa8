/**
 * The compact encoding of the process channel's small messages (`fast-codec.ts`): what it takes
 * reads back exactly as structured clone gives it, what it declines goes through V8's
 * serializer unchanged, and a malformed body throws rather than hangs or allocates.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeFast, encodeFast, FAST_BODY } from '../src/process/fast-codec.js';
import { decodeFrameBody, encodeFrame, FRAME_HEADER_BYTES } from '../src/process/frame-codec.js';

/** A value through a whole frame and back (whichever encoding the frame takes). */
function roundTrip(value: unknown): unknown {
  const frame = Buffer.concat(encodeFrame(value));
  return decodeFrameBody(frame.subarray(FRAME_HEADER_BYTES));
}

function isFast(value: unknown): boolean {
  return encodeFast(value) !== undefined;
}

describe('fast frames', () => {
  it('carry the protocol’s small messages, exactly', () => {
    const call = { mh: 'manyhands/1', k: 'jobs', jobs: [[12, 0, 'add', [2, 3]]] };
    const result = {
      mh: 'manyhands/1',
      k: 'results',
      results: [[12, 0, 25n, 0.01, 0.01]],
      async: [],
      given: undefined,
    };
    for (const message of [call, result]) {
      expect(isFast(message)).toBe(true);
      const back = roundTrip(message);
      expect(back).toStrictEqual(structuredClone(message));
      expect(Object.keys(back as object)).toStrictEqual(Object.keys(message));
    }
  });

  it('read a call’s arguments and a task’s result inside those messages as carefully as any value', () => {
    let reads = 0;
    const counted = {
      get b(): number {
        reads++;
        return 2;
      },
    };
    const results = (value: unknown, extra: object = {}) => ({
      mh: 'manyhands/1',
      k: 'results',
      results: [[7, 0, value, 0.5, 0.25]],
      async: [8, 0.125],
      given: [9],
      ...extra,
    });
    const jobs = (args: unknown[]) => ({ mh: 'manyhands/1', k: 'jobs', jobs: [[7, 0, 'f', args]] });
    // A getter or a Proxy anywhere in them sends the whole message through V8, the getter unread.
    expect(isFast(results(counted))).toBe(false);
    expect(isFast(jobs([1, counted]))).toBe(false);
    expect(isFast(jobs([new Proxy({}, {})]))).toBe(false);
    expect(reads).toBe(0);
    expect(roundTrip(results(counted))).toStrictEqual(results({ b: 2 }));
    expect(reads).toBe(1);
    // The last message of a dying worker has more keys; it reads back with all of them.
    const last = results(1, { started: 3, final: true });
    expect(roundTrip(last)).toStrictEqual(last);
    expect(Object.keys(roundTrip(last) as object)).toStrictEqual(Object.keys(last));
    for (const message of [results(undefined), jobs([]), results([1, { a: 2n }])]) {
      const body = (encodeFast(message) as Buffer).subarray(FRAME_HEADER_BYTES);
      expect(decodeFast(body)).toStrictEqual(structuredClone(message));
      for (let cut = 1; cut < body.length; cut++) {
        expect(() => decodeFast(body.subarray(0, cut))).toThrow(TypeError);
      }
    }
  });

  it('carry a batch of thousands of calls or results in one fast frame, each value held to the small limits', () => {
    const jobs = {
      mh: 'manyhands/1',
      k: 'jobs',
      jobs: Array.from({ length: 3_000 }, (_, i) => [
        i,
        0,
        'factorialAfterTimer',
        [i % 99, `x${i}`],
      ]),
    };
    const results = {
      mh: 'manyhands/1',
      k: 'results',
      results: Array.from({ length: 3_000 }, (_, i) => [i, 0, 3n ** BigInt(i % 200), 0.5, 0.25]),
      async: Array.from({ length: 6_000 }, (_, i) => (i % 2 === 0 ? i : 0.125)),
      given: Array.from({ length: 100 }, (_, i) => i),
    };
    for (const message of [jobs, results]) {
      expect(isFast(message)).toBe(true);
      expect(roundTrip(message)).toStrictEqual(structuredClone(message));
    }
    // One call's argument past the small limits sends the whole batch through V8, unchanged.
    const oneLarge = structuredClone(jobs);
    (oneLarge.jobs[2_999] as unknown[])[3] = [Array.from({ length: 500 }, (_, i) => i)];
    expect(isFast(oneLarge)).toBe(false);
    expect(roundTrip(oneLarge)).toStrictEqual(structuredClone(oneLarge));
    // The same object in two calls keeps its sharing, as structured clone does: through V8.
    const shared = { s: 1 };
    const sharing = {
      mh: 'manyhands/1',
      k: 'jobs',
      jobs: [
        [1, 0, 'f', [shared]],
        [2, 0, 'f', [shared]],
      ],
    };
    expect(isFast(sharing)).toBe(false);
    const back = roundTrip(sharing) as { jobs: [number, number, string, object[]][] };
    expect(back.jobs[0]?.[3][0]).toBe(back.jobs[1]?.[3][0]);
    // A batch whose body would pass 1 MB goes through V8 too.
    const huge = {
      mh: 'manyhands/1',
      k: 'results',
      results: Array.from({ length: 2_000 }, (_, i) => [i, 0, 'y'.repeat(300), 0.5, 0.25]),
      async: [],
      given: undefined,
    };
    expect(isFast(huge)).toBe(false);
    expect(roundTrip(huge)).toStrictEqual(structuredClone(huge));
  });

  test.prop([fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 4 })])(
    'read back any result and any arguments inside a results or jobs message',
    (value, args) => {
      const result = {
        mh: 'manyhands/1',
        k: 'results',
        results: [[1, 0, value, 1, 1]],
        async: [],
        given: undefined,
      };
      const call = {
        mh: 'manyhands/1',
        k: 'jobs',
        jobs: [
          [1, 0, 'f', args],
          [2, 0, 'g', []],
        ],
      };
      for (const message of [result, call]) {
        expect(roundTrip(message)).toStrictEqual(structuredClone(message));
      }
    },
  );

  it('keep -0, NaN, lone surrogates, big and negative BigInts, and an own __proto__ key', () => {
    const tricky = [
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 31,
      -(2 ** 31),
      1.5,
      '\ud800',
      'x\udfffy',
      '',
      -(2n ** 200n),
      0n,
      { a: { b: [null, true, false, undefined] }, c: undefined },
      JSON.parse('{"__proto__": 1, "a": 2}'),
    ];
    for (const value of tricky) {
      expect(isFast(value)).toBe(true);
      const back = roundTrip(value);
      expect(back).toStrictEqual(structuredClone(value));
      if (typeof value === 'number') expect(Object.is(back, value)).toBe(true);
    }
    const proto = roundTrip(JSON.parse('{"__proto__": 1}')) as object;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(1);
  });

  it('decline what structured clone treats apart, which then goes through V8 unchanged', () => {
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const holey = [1, 2, 3];
    delete holey[1];
    const extra = Object.assign([1, 2], { note: 'kept' });
    // As many keys as elements, yet a hole and a named property.
    const holeAndName = Object.assign([1, 2, 3], { x: 1 });
    delete holeAndName[1];
    class Point {
      x = 1;
    }
    const declined: unknown[] = [
      new Map([[1, 2]]),
      new Set([1]),
      new Date(5),
      /re/g,
      new Uint8Array([1]),
      new Error('e'),
      [shared, shared],
      cyclic,
      holey,
      extra,
      holeAndName,
      new Point(),
      Object.create(null),
      Object(1),
      'x'.repeat(5_000),
      Array.from({ length: 500 }, (_, i) => i),
    ];
    for (const value of declined) {
      expect(isFast(value)).toBe(false);
      expect(roundTrip(value)).toStrictEqual(structuredClone(value));
    }
    // V8's serializer refuses a Proxy; the fast path must not take it and run its traps.
    const proxy = new Proxy({}, {});
    expect(isFast(proxy)).toBe(false);
    expect(() => encodeFrame(proxy)).toThrow();
    const [a, b] = roundTrip([shared, shared]) as object[];
    expect(a).toBe(b);
    expect((roundTrip(extra) as { note?: string }).note).toBe('kept');
    expect(1 in (roundTrip(holey) as unknown[])).toBe(false);
  });

  it('throw what a getter throws, and refuse functions and symbols like V8 does', () => {
    const getter = {
      get bad(): never {
        throw new RangeError('getter');
      },
    };
    expect(() => encodeFrame(getter)).toThrow(RangeError);
    expect(isFast(getter)).toBe(false);
  });

  it('run a getter exactly once, as structured clone does (the fast path never reads one)', () => {
    let reads = 0;
    const counted = {
      a: 1,
      get b(): number {
        reads++;
        return 2;
      },
    };
    const element = [1, 2];
    Object.defineProperty(element, 1, {
      enumerable: true,
      get: () => {
        reads++;
        return 3;
      },
    });
    expect(isFast(counted)).toBe(false);
    expect(isFast(element)).toBe(false);
    expect(reads).toBe(0);
    expect(roundTrip({ counted, element })).toStrictEqual({
      counted: { a: 1, b: 2 },
      element: [1, 3],
    });
    expect(reads).toBe(2);
    expect(() => encodeFrame({ f: () => 1 })).toThrow();
    expect(() => encodeFrame([Symbol('s')])).toThrow();
  });

  test.prop([fc.jsonValue()])(
    'read back what structured clone gives, for any JSON value',
    (value) => {
      expect(roundTrip(value)).toStrictEqual(structuredClone(value));
    },
  );

  test.prop([
    fc.array(
      fc.oneof(
        fc.constant(undefined),
        fc.double(),
        fc.bigInt(),
        fc.string({ unit: 'binary' }),
        fc.boolean(),
      ),
      { maxLength: 20 },
    ),
  ])('read back arrays of any primitives exactly', (values) => {
    const back = roundTrip(values) as unknown[];
    expect(back).toStrictEqual(structuredClone(values));
    values.forEach((v, i) => {
      expect(Object.is(back[i], v)).toBe(true);
    });
  });

  test.prop([fc.uint8Array({ maxLength: 64 })])(
    'throw a TypeError on a malformed body, never hang',
    (bytes) => {
      const body = Buffer.concat([Buffer.from([FAST_BODY]), bytes]);
      try {
        decodeFast(body);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
      }
    },
  );

  it('throw on every cut of a valid body and on trailing bytes', () => {
    const frame = encodeFast({ k: 'x', v: [1, 'two', 3n, null] }) as Buffer;
    const body = frame.subarray(4);
    for (let cut = 1; cut < body.length; cut++) {
      expect(() => decodeFast(body.subarray(0, cut))).toThrow(TypeError);
    }
    expect(() => decodeFast(Buffer.concat([body, Buffer.from([0])]))).toThrow(TypeError);
  });
});
