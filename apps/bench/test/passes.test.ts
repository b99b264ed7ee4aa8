import { describe, expect, it } from 'vitest';
import { medianOfPasses, parsePasses } from '../dist/passes.js';

/** A case whose passes "take" the given seconds in turn, and log that they ran. */
function scripted(seconds: number[], checksums?: string[]) {
  let at = 0;
  const ran: number[] = [];
  const pass = async () => {
    const i = at++;
    ran.push(i);
    return { seconds: seconds[i] as number, checksum: checksums?.[i] ?? 'same' };
  };
  return { pass, ran };
}

describe('medianOfPasses', () => {
  it('leaves the first pass untimed and returns the pass of median time among the next ones', async () => {
    const { pass, ran } = scripted([9, 5, 1, 3, 4, 2]);
    const sample = await medianOfPasses(pass, { count: 5, cold: false });
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
    // Timed: 5, 1, 3, 4, 2 -> median 3; the slow first pass (9) plays no part.
    expect(sample.seconds).toBe(3);
  });

  it('times the first pass alone when cold', async () => {
    const { pass, ran } = scripted([9, 5, 1]);
    const sample = await medianOfPasses(pass, { count: 5, cold: true });
    expect(ran).toEqual([0]);
    expect(sample.seconds).toBe(9);
  });

  it('throws when the timed passes disagree on what they computed', async () => {
    const { pass } = scripted([1, 1, 1], ['a', 'a', 'b']);
    await expect(
      medianOfPasses(pass, { count: 2, cold: false, same: (p) => p.checksum }),
    ).rejects.toThrow(/different results/);
  });
});

describe('parsePasses', () => {
  it('takes a whole number of at least 1 and refuses anything else', () => {
    expect(parsePasses('5')).toBe(5);
    expect(parsePasses('1')).toBe(1);
    for (const bad of ['0', '-2', '2.5', 'x', '']) expect(parsePasses(bad)).toBeUndefined();
  });
});
