import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { allowedCores, describeCoreSpeeds, measureCoreSpeeds } from '../dist/core-speeds.js';

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('core speeds', () => {
  it('calls even cores even', () => {
    const line = describeCoreSpeeds([
      { core: 0, ms: 100 },
      { core: 1, ms: 104 },
    ]);
    expect(line).toBe('cores: cpu0 1.00, cpu1 0.96 of the fastest (even)');
  });

  it('names unequal cores and the most a pool can then gain over a loop on each', () => {
    const line = describeCoreSpeeds([
      { core: 0, ms: 380 },
      { core: 1, ms: 225 },
    ]);
    expect(line).toBe(
      'cores: cpu0 0.59, cpu1 1.00 of the fastest — UNEQUAL: 2 workers can be at most 1.59× a plain loop that ran on the fastest core, 2.69× one on the slowest',
    );
  });

  it('says when it could not measure', () => {
    expect(describeCoreSpeeds(undefined)).toMatch(/not measured/);
  });

  it.runIf(process.platform === 'linux' && hasTaskset)(
    'times every core with a real pinned process',
    () => {
      const speeds = measureCoreSpeeds();
      expect(speeds?.map((s) => s.core)).toStrictEqual(allowedCores());
      expect(allowedCores().length).toBeGreaterThan(0);
      for (const s of speeds ?? []) expect(s.ms).toBeGreaterThan(0);
    },
    60_000,
  );
});
