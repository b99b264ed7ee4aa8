import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  checksum,
  noopChecksum,
  verifyChecksums,
} from '../dist/checksum.js';
import { articleInputs } from '../dist/inputs.js';
import { computeReference } from '../dist/reference.js';
import { factorial } from '../dist/tasks.js';

const factorials = (inputs: number[]) => inputs.map(factorial);

describe('checksum', () => {
  const results = factorials(articleInputs(5000));
  const base = checksum(results);

  it('changes when any result is wrong, missing, extra or out of place', () => {
    // Large factorials matter too: 70! and 99! end in many zero digits in any small base.
    const swapped = [...results];
    const i = results.findIndex((r) => r > factorial(69));
    const j = results.findIndex((r, k) => k > i && r > factorial(69) && r !== results[i]);
    [swapped[i], swapped[j]] = [swapped[j] as bigint, swapped[i] as bigint];
    expect(checksum(swapped)).not.toBe(base);

    const wrong = [...results];
    wrong[i] = factorial(99) === wrong[i] ? factorial(98) : factorial(99);
    expect(checksum(wrong)).not.toBe(base);

    expect(checksum(results.slice(0, -1))).not.toBe(base);
    expect(checksum([...results, 1n])).not.toBe(base);
    expect(checksum([factorial(70)])).not.toBe(checksum([factorial(71)]));
  });

  it('rejects results that are not BigInts', () => {
    expect(() => checksum([1n, 2 as unknown as bigint])).toThrow(
      /Result 1 is a number, not a BigInt/,
    );
  });

  it('is the same for the same results, and counts no-op results', () => {
    expect(checksum(factorials(articleInputs(5000)))).toBe(base);
    expect(noopChecksum([undefined, undefined])).toBe('2:noop');
    expect(noopChecksum([undefined, 0])).not.toBe('2:noop');
  });
});

describe('verifyChecksums', () => {
  it('passes when every sample matches', () => {
    expect(() => verifyChecksums('case', 'x', ['x', 'x'])).not.toThrow();
  });

  it('throws ChecksumMismatchError naming the case and the sample', () => {
    let caught: unknown;
    try {
      verifyChecksums('cpu/wrong/1', 'x', ['x', 'y']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ChecksumMismatchError);
    expect((caught as ChecksumMismatchError).code).toBe('ERR_BENCH_CHECKSUM');
    expect((caught as ChecksumMismatchError).caseLabel).toBe('cpu/wrong/1');
    expect((caught as Error).message).toBe(
      'wrong results in sample 2: checksum y, expected x (computed inline).',
    );
  });

  it('throws when there are no samples at all', () => {
    expect(() => verifyChecksums('case', 'x', [])).toThrow(ChecksumMismatchError);
  });
});

describe('computeReference', () => {
  it('gives the checksum of the first N factorials for each count asked', () => {
    const reference = computeReference([10, 300]);
    expect(reference.loopItems).toBe(300);
    expect(reference.expected('cpu', 10)).toBe(checksum(factorials(articleInputs(10))));
    expect(reference.expected('io-timer', 300)).toBe(checksum(factorials(articleInputs(300))));
    expect(reference.expected('burst', 7)).toBe('7:noop');
    expect(() => reference.expected('cpu', 11)).toThrow(/No reference checksum for 11 items/);
  });
});

const python = spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!python)('python/pool_map.py', () => {
  it('computes the same checksum as the bench on the same inputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-py-'));
    const file = join(dir, 'inputs.txt');
    const inputs = articleInputs(500);
    writeFileSync(file, `${inputs.join('\n')}\n`);
    const script = fileURLToPath(new URL('../python/pool_map.py', import.meta.url));
    const result = spawnSync('python3', [script, file, '1', '1'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const line = JSON.parse(result.stdout.trim()) as { checksum: string };
    expect(line.checksum).toBe(checksum(factorials(inputs)));
  });
});
