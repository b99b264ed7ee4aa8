import { describe, expect, it } from 'vitest';
import { decodeThrown, type EncodedThrown, encodeThrown } from '../src/wire/error-codec.js';
import { describeThrown, UnknownTaskError } from '../src/wire/errors.js';

const roundTrip = (value: unknown) => decodeThrown(structuredClone(encodeThrown(value)));

describe('error codec', () => {
  it('keeps the class name, message, stack, own properties and cause chain', () => {
    class DbError extends Error {
      code = 'E_DB';
      retryable = true;
    }
    const original = new DbError('connection lost', { cause: new TypeError('bad socket') });
    const copy = roundTrip(original) as DbError;
    expect(copy).toBeInstanceOf(Error);
    expect(copy.constructor.name).toBe('DbError');
    expect(copy.name).toBe('DbError');
    expect(copy.message).toBe('connection lost');
    expect(copy.stack).toBe(original.stack);
    expect(copy.code).toBe('E_DB');
    expect(copy.retryable).toBe(true);
    expect(copy.cause).toBeInstanceOf(TypeError);
  });

  it('rebuilds manyhands errors as their own classes', () => {
    const copy = roundTrip(new UnknownTaskError('x', ['a']));
    expect(copy).toBeInstanceOf(UnknownTaskError);
    expect((copy as UnknownTaskError).available).toStrictEqual(['a']);
  });

  it('keeps AggregateError members and non-Error values', () => {
    const copy = roundTrip(new AggregateError([new RangeError('r')], 'many')) as AggregateError;
    expect(copy).toBeInstanceOf(AggregateError);
    expect(copy.errors[0]).toBeInstanceOf(RangeError);
    expect(roundTrip(42)).toBe(42);
    expect(roundTrip({ a: 1 })).toStrictEqual({ a: 1 });
    expect(roundTrip(() => 1)).toBe('() => 1');
  });

  it('drops own properties that cannot be cloned instead of failing', () => {
    const error = Object.assign(new Error('x'), { callback: () => {}, id: 7 });
    const copy = roundTrip(error) as Error & { id: number; callback?: unknown };
    expect(copy.id).toBe(7);
    expect(copy.callback).toBeUndefined();
  });
});

describe('error codec: hostile thrown values', () => {
  it.each(['toString', '__proto__', 'hasOwnProperty', 'constructor', 'valueOf', 'isPrototypeOf'])(
    'an error named %j arrives as an Error with that name',
    (name) => {
      const original = new Error('named after Object.prototype');
      Object.defineProperty(original, 'name', { value: name, configurable: true, writable: true });
      const copy = roundTrip(original) as Error;
      expect(copy).toBeInstanceOf(Error);
      expect(copy.name).toBe(name);
      expect(copy.message).toBe('named after Object.prototype');
    },
  );

  it('decodes only own data properties of a record: inherited or forged names find no class', () => {
    const forged = Object.create({ t: 'error', name: 'TaskTimeoutError' }) as EncodedThrown;
    expect(decodeThrown(forged)).toBe(forged);
    const copy = decodeThrown({
      t: 'error',
      name: 'constructor',
      message: 'm',
      stack: undefined,
      props: JSON.parse('{"__proto__": {"polluted": true}, "code": "E"}'),
    }) as Error & { code: string };
    expect(copy).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(copy)).not.toHaveProperty('polluted');
    expect(Object.hasOwn(copy, '__proto__')).toBe(false);
    expect(copy.code).toBe('E');
  });

  it('drops own properties that would shadow a prototype method with data', () => {
    const error = Object.assign(new Error('shadowed'), {
      toString: new Map(),
      valueOf: 1,
      hasOwnProperty: 'x',
      code: 'E_KEPT',
    });
    const copy = roundTrip(error) as Error & { code: string };
    expect(String(copy)).toBe('Error: shadowed');
    expect(Object.hasOwn(copy, 'toString')).toBe(false);
    expect(Object.hasOwn(copy, 'valueOf')).toBe(false);
    expect(Object.hasOwn(copy, 'code')).toBe(true);
    expect(copy.code).toBe('E_KEPT');
  });

  it('never throws on malformed records', () => {
    const garbage: unknown[] = [
      null,
      undefined,
      42,
      'text',
      [],
      { t: 'error' },
      { t: 'error', name: null, message: 5, stack: {}, props: null, cause: 7, errors: 'x' },
      { t: 'error', name: 'X', props: 'not an object' },
      { t: 'nope' },
    ];
    for (const value of garbage) {
      expect(() => decodeThrown(value as EncodedThrown)).not.toThrow();
    }
    const loose = decodeThrown({ t: 'error' } as unknown as EncodedThrown) as Error;
    expect(loose).toBeInstanceOf(Error);
    expect(loose.message).toBe('');
  });

  it('encodes an error whose message, stack, name, constructor and own getters throw', () => {
    const boom = () => {
      throw new Error('getter');
    };
    const error = new Error('original');
    // stack first: redefining it makes V8 format the old one, which reads `message`.
    Object.defineProperty(error, 'stack', { get: boom });
    Object.defineProperty(error, 'message', { get: boom });
    Object.defineProperty(error, 'name', { get: boom });
    Object.defineProperty(error, 'constructor', { get: boom });
    Object.defineProperty(error, 'cause', { get: boom });
    Object.defineProperty(error, 'detail', { get: boom, enumerable: true });
    Object.defineProperty(error, 'code', { value: 'E_KEPT', enumerable: true });
    const encoded = encodeThrown(error);
    const copy = decodeThrown(structuredClone(encoded)) as Error & { code: string };
    expect(copy).toBeInstanceOf(Error);
    expect(copy.message).toBe('');
    expect(copy.code).toBe('E_KEPT');
    expect('detail' in copy).toBe(false);
  });

  it('encodes a Proxy whose traps all throw, and values whose String() throws', () => {
    const trap = () => {
      throw new Error('trap');
    };
    const hostile = new Proxy(
      {},
      { get: trap, getPrototypeOf: trap, ownKeys: trap, has: trap, getOwnPropertyDescriptor: trap },
    );
    expect(() => encodeThrown(hostile)).not.toThrow();
    expect(() => roundTrip(hostile)).not.toThrow();
    const nullProto = Object.assign(Object.create(null), { f: () => 1 });
    expect(roundTrip(nullProto)).toBe('[object]');
    const unprintable = {
      f: () => 1,
      [Symbol.toPrimitive]: trap,
    };
    expect(roundTrip(unprintable)).toBe('[object]');
    expect(describeThrown(hostile)).toBe('[object]');
  });

  it('cuts cause cycles and bounds deep or branching chains', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    const copy = roundTrip(a) as Error;
    expect((copy.cause as Error).message).toBe('b');
    expect((copy.cause as Error).cause).toBeUndefined();

    let deep: Error = new Error('root');
    for (let i = 0; i < 10_000; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(() => roundTrip(deep)).not.toThrow();

    // 2^40 paths if every member were followed.
    let wide: Error = new Error('leaf');
    for (let i = 0; i < 40; i++) wide = new AggregateError([wide, wide], `level ${i}`);
    const start = performance.now();
    expect(roundTrip(wide)).toBeInstanceOf(AggregateError);
    expect(performance.now() - start).toBeLessThan(5_000);

    const self = new AggregateError([], 'self');
    self.errors.push(self);
    expect((roundTrip(self) as AggregateError).errors).toStrictEqual([]);
  });

  it('the wire form is plain data: posting it again cannot run a getter', () => {
    let reads = 0;
    const detail = {
      get flaky() {
        reads++;
        if (reads > 1) throw new Error('second read');
        return 'first';
      },
    };
    const error = Object.assign(new Error('x'), { detail });
    const encoded = encodeThrown(error);
    expect(() => structuredClone(encoded)).not.toThrow();
    expect(reads).toBe(1);
    expect((decodeThrown(structuredClone(encoded)) as typeof error).detail).toStrictEqual({
      flaky: 'first',
    });
  });

  it('describeThrown never throws', () => {
    expect(describeThrown(new RangeError('too big'))).toBe('RangeError: too big');
    expect(describeThrown('text')).toBe('text');
    expect(describeThrown(null)).toBe('null');
    expect(describeThrown(Object.create(null))).toBe('[object]');
    expect(describeThrown(Symbol('s'))).toBe('Symbol(s)');
  });
});
