import { describe, expect, it } from 'vitest';
import { assessNoise, describeNoise } from '../dist/noise.js';

describe('assessNoise', () => {
  it('calls a machine noisy when other processes took a real share of it', () => {
    expect(assessNoise({ cores: 2, foreignCores: 1, spreads: [0.01, 0.02] }).noisy).toBe(true);
    expect(assessNoise({ cores: 2, foreignCores: 0.05, spreads: [0.01, 0.02] }).noisy).toBe(false);
  });

  it('calls it noisy when the samples spread widely, even without CPU figures', () => {
    const noise = assessNoise({ cores: 2, spreads: [0.2, 0.15, 0.3] });
    expect(noise.noisy).toBe(true);
    expect(noise.foreignCores).toBeUndefined();
    expect(noise.maxSpread).toBe(0.3);
  });

  it('describes the noise in figures', () => {
    const noise = assessNoise({ cores: 2, foreignCores: 0.93, spreads: [0.02, 0.04, 0.25] });
    expect(describeNoise(noise)).toBe(
      "other processes used 0.9 of 2 cores; a case's samples spread ±4 % (median), up to ±25 %",
    );
  });
});
