import { describe, expect, it } from 'vitest';
import { decodeThrown, encodeThrown } from '../src/error-codec.js';
import { UnknownTaskError } from '../src/errors.js';

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
