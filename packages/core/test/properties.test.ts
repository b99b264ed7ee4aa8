/**
 * Property-based tests of the boundary code: whatever a task throws or passes, encoding,
 * decoding and the clone-path search never throw.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { findUncloneablePath } from '../src/wire/clone-path.js';
import { decodeThrown, type EncodedThrown, encodeThrown } from '../src/wire/error-codec.js';

const boom = (): never => {
  throw new Error('hostile getter');
};

/** Names worth trying: Object.prototype keys, our own class names, built-ins, anything. */
const errorName = fc.oneof(
  fc.constantFrom(
    ...Object.getOwnPropertyNames(Object.prototype),
    'Error',
    'TypeError',
    'AggregateError',
    'TaskTimeoutError',
    'ManyhandsError',
    'prototype',
    'then',
    '',
  ),
  fc.string(),
);

const hostileTrap = fc.constantFrom(
  'get',
  'ownKeys',
  'getPrototypeOf',
  'has',
  'getOwnPropertyDescriptor',
);

/**
 * A recipe for a value with hostile parts at random depths (functions, symbols, throwing
 * getters, Proxies whose traps throw, cycles). fast-check itself inspects the values it
 * generates, so it generates plain recipes and the test builds the hostile value.
 */
type ValueRecipe =
  | { k: 'plain'; v: unknown }
  | { k: 'fn' }
  | { k: 'symbol' }
  | { k: 'array'; items: ValueRecipe[] }
  | { k: 'object'; entries: [string, ValueRecipe][] }
  | { k: 'getter'; key: string; inner: ValueRecipe }
  | { k: 'proxy'; trap: string; inner: ValueRecipe }
  | { k: 'cycle'; inner: ValueRecipe }
  | { k: 'map'; inner: ValueRecipe };

const valueRecipe: fc.Arbitrary<ValueRecipe> = fc.letrec<{ value: ValueRecipe }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .anything({
        withBigInt: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
      })
      .map((v): ValueRecipe => ({ k: 'plain', v })),
    fc.constant<ValueRecipe>({ k: 'fn' }),
    fc.constant<ValueRecipe>({ k: 'symbol' }),
    fc.array(tie('value'), { maxLength: 4 }).map((items): ValueRecipe => ({ k: 'array', items })),
    fc
      .array(fc.tuple(fc.string(), tie('value')), { maxLength: 4 })
      .map((entries): ValueRecipe => ({ k: 'object', entries })),
    fc
      .tuple(fc.string(), tie('value'))
      .map(([key, inner]): ValueRecipe => ({ k: 'getter', key, inner })),
    fc
      .tuple(hostileTrap, tie('value'))
      .map(([trap, inner]): ValueRecipe => ({ k: 'proxy', trap, inner })),
    tie('value').map((inner): ValueRecipe => ({ k: 'cycle', inner })),
    tie('value').map((inner): ValueRecipe => ({ k: 'map', inner })),
  ),
})).value;

function realize(r: ValueRecipe): unknown {
  switch (r.k) {
    case 'plain':
      return structuredClone(r.v);
    case 'fn':
      return () => 1;
    case 'symbol':
      return Symbol('s');
    case 'array':
      return r.items.map(realize);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of r.entries) {
        Object.defineProperty(out, key, {
          value: realize(inner),
          enumerable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'getter':
      return Object.defineProperty({ inner: realize(r.inner) }, r.key || 'k', {
        get: boom,
        enumerable: true,
      });
    case 'proxy':
      return new Proxy({ inner: realize(r.inner) }, { [r.trap]: boom });
    case 'cycle': {
      const cyclic: Record<string, unknown> = { inner: realize(r.inner) };
      cyclic.self = cyclic;
      return cyclic;
    }
    case 'map':
      return new Map<unknown, unknown>([['k', realize(r.inner)]]);
  }
}

interface ErrorRecipe {
  name: string;
  message: ValueRecipe;
  stringMessage: boolean;
  throwing: ('message' | 'stack' | 'name' | 'constructor' | 'cause' | 'prop')[];
  props: [string, ValueRecipe][];
  cause: ErrorRecipe | { value: ValueRecipe } | undefined;
  aggregate: boolean;
  cycle: boolean;
}

const errorRecipe: fc.Arbitrary<ErrorRecipe> = fc.letrec<{ error: ErrorRecipe }>((tie) => ({
  error: fc.record({
    name: errorName,
    message: valueRecipe,
    stringMessage: fc.boolean(),
    throwing: fc.subarray(['message', 'stack', 'name', 'constructor', 'cause', 'prop'] as const),
    props: fc.array(fc.tuple(fc.string(), valueRecipe), { maxLength: 3 }),
    cause: fc.option(
      fc.oneof({ depthSize: 'small' }, tie('error'), fc.record({ value: valueRecipe })),
      { nil: undefined },
    ),
    aggregate: fc.boolean(),
    cycle: fc.boolean(),
  }),
})).error;

function build(r: ErrorRecipe): Error {
  const cause =
    r.cause === undefined
      ? undefined
      : 'value' in r.cause
        ? realize(r.cause.value)
        : build(r.cause as ErrorRecipe);
  const error: Error = r.aggregate
    ? new AggregateError(cause === undefined ? [] : [cause], 'aggregate')
    : new Error('x', cause === undefined ? undefined : { cause });
  for (const [key, value] of r.props) {
    Object.defineProperty(error, key, {
      value: realize(value),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  Object.defineProperty(error, 'name', { value: r.name, configurable: true, writable: true });
  // stack before message: redefining stack makes V8 format it, which reads `message`.
  if (r.throwing.includes('stack')) Object.defineProperty(error, 'stack', { get: boom });
  Object.defineProperty(error, 'message', {
    configurable: true,
    ...(r.throwing.includes('message')
      ? { get: boom }
      : { value: r.stringMessage ? 'message' : realize(r.message) }),
  });
  for (const key of ['name', 'constructor', 'cause'] as const) {
    if (r.throwing.includes(key)) {
      Object.defineProperty(error, key, { get: boom, configurable: true });
    }
  }
  if (r.throwing.includes('prop')) {
    Object.defineProperty(error, 'bad', { get: boom, enumerable: true });
  }
  if (r.cycle && !r.throwing.includes('cause')) {
    Object.defineProperty(error, 'cause', { value: error, configurable: true });
  }
  return error;
}

/** A recipe of anything a task may throw: a (hostile) error or a (hostile) value. */
const thrownRecipe = fc.oneof(
  errorRecipe.map((error) => ({ error })),
  valueRecipe.map((value) => ({ value })),
);
const buildThrown = (r: { error: ErrorRecipe } | { value: ValueRecipe }): unknown =>
  'error' in r ? build(r.error) : realize(r.value);

const options = { numRuns: 300 };

describe('error codec properties', () => {
  test.prop([thrownRecipe], options)(
    'decode(encode(x)) never throws and is an Error or a value',
    (r) => {
      const value = buildThrown(r);
      const encoded = encodeThrown(value);
      const wire = structuredClone(encoded);
      const decoded = decodeThrown(wire);
      let isError = false;
      try {
        isError = value instanceof Error;
      } catch {
        // a Proxy whose getPrototypeOf throws: encoded as a value
      }
      if (isError) expect(decoded).toBeInstanceOf(Error);
      else expect(wire.t).toBe('value');
    },
  );

  test.prop([errorRecipe], options)('a rebuilt error keeps a string name and message', (r) => {
    const error = build(r);
    const decoded = decodeThrown(structuredClone(encodeThrown(error))) as Error;
    expect(typeof decoded.name).toBe('string');
    expect(typeof decoded.message).toBe('string');
    expect(() => String(decoded)).not.toThrow();
  });

  test.prop([fc.anything()], options)('decoding arbitrary garbage never throws', (garbage) => {
    expect(() => decodeThrown(garbage as EncodedThrown)).not.toThrow();
    expect(() =>
      decodeThrown({
        t: 'error',
        name: garbage,
        message: garbage,
        props: garbage,
        cause: garbage,
      } as never),
    ).not.toThrow();
  });
});

describe('clone-path properties', () => {
  test.prop([valueRecipe], options)(
    'never throws; finds a path exactly when cloning fails',
    (r) => {
      const value = realize(r);
      let clones = true;
      try {
        structuredClone(value);
      } catch {
        clones = false;
      }
      const path = findUncloneablePath(value, 'args');
      if (clones) expect(path).toBeUndefined();
      else expect(path?.startsWith('args')).toBe(true);
    },
  );
});
