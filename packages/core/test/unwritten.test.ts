import { describe, expect, it } from 'vitest';
import { unwritten } from '../src/process/unwritten.js';

describe('unwritten', () => {
  const pieces = [Buffer.from('abc'), Buffer.from('de'), Buffer.from('fgh')];
  const rest = (written: number) => Buffer.concat(unwritten(pieces, written)).toString();

  it('keeps exactly the bytes after the written ones, for every cut', () => {
    const all = 'abcdefgh';
    for (let written = 0; written <= all.length; written++) {
      expect(rest(written)).toBe(all.slice(written));
    }
    expect(unwritten(pieces, 3).map(String)).toStrictEqual(['de', 'fgh']);
    expect(unwritten(pieces, 4).map(String)).toStrictEqual(['e', 'fgh']);
    expect(unwritten(pieces, 8)).toStrictEqual([]);
    expect(pieces.map(String)).toStrictEqual(['abc', 'de', 'fgh']);
  });
});
