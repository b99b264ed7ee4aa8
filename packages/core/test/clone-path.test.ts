import { describe, expect, it } from 'vitest';
import { findUncloneablePath } from '../src/wire/clone-path.js';

const boom = () => {
  throw new Error('hostile');
};

describe('findUncloneablePath', () => {
  it('names the first uncloneable part of ordinary values', () => {
    expect(findUncloneablePath([1, { nested: { fn: () => 1 } }], 'args')).toBe('args[1].nested.fn');
    expect(findUncloneablePath({ 'odd key': Symbol('s') }, 'x')).toBe('x["odd key"]');
    expect(findUncloneablePath(new Map([['k', () => 1]]), 'm')).toBe('m.get("k")');
    expect(findUncloneablePath(new Map([[() => 1, 1]]), 'm')).toBe('m.keys()[0]');
    expect(findUncloneablePath(new Set([1, () => 1]), 's')).toBe('s[set 1]');
    expect(findUncloneablePath({ ok: [1, 2n, 'x'] }, 'v')).toBeUndefined();
  });

  it('a getter that throws is the path', () => {
    const value = {
      fine: 1,
      inner: Object.defineProperty({}, 'bad', { get: boom, enumerable: true }),
    };
    expect(findUncloneablePath([value], 'args')).toBe('args[0].inner.bad');
  });

  it('a Proxy whose traps throw is reported where it sits', () => {
    const trap = new Proxy({}, { ownKeys: boom, get: boom, getPrototypeOf: boom, has: boom });
    expect(findUncloneablePath([1, { p: trap }], 'args')).toBe('args[1].p');
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(findUncloneablePath({ r: revocable.proxy }, 'args')).toBe('args.r');
    // A Proxy over a plain object fails to clone although all its parts clone.
    expect(findUncloneablePath({ p: new Proxy({ a: 1 }, {}) }, 'args')).toBe('args.p');
  });

  it('survives cycles and deep nesting', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    cyclic.fn = () => 1;
    expect(findUncloneablePath(cyclic, 'args')).toBe('args.fn');
    let deep: unknown = { fn: () => 1 };
    for (let i = 0; i < 5_000; i++) deep = { d: deep };
    const path = findUncloneablePath(deep, 'args') as string;
    expect(path.startsWith('args.d.d')).toBe(true);
  });

  it('collections whose methods were replaced or that are Proxies do not escape', () => {
    const map = new Map([['k', () => 1]]);
    Object.defineProperty(map, 'entries', { value: boom });
    map[Symbol.iterator] = boom as never;
    expect(findUncloneablePath(map, 'm')).toBe('m.get("k")');
    expect(findUncloneablePath(new Proxy(new Set([1]), {}), 's')).toBe('s');
  });
});
