import { describe, expect, it } from 'vitest';
import { PAUSE_HALF_LIFE_MS, PauseRecord } from '../src/host/host-pauses.js';

describe('PauseRecord', () => {
  it('is 0 before any pause', () => {
    expect(new PauseRecord().recentMs(1_000)).toBe(0);
  });

  it('keeps the longest recent pause and halves it every half-life', () => {
    const record = new PauseRecord();
    record.note(40, 100);
    record.note(10, 120);
    expect(record.recentMs(120)).toBeCloseTo(40 * 0.5 ** (20 / PAUSE_HALF_LIFE_MS));
    expect(record.recentMs(100 + PAUSE_HALF_LIFE_MS)).toBeCloseTo(20);
    expect(record.recentMs(100 + 2 * PAUSE_HALF_LIFE_MS)).toBeCloseTo(10);
  });

  it('lets a new pause replace a decayed longer one', () => {
    const record = new PauseRecord();
    record.note(40, 0);
    record.note(30, 2 * PAUSE_HALF_LIFE_MS);
    expect(record.recentMs(2 * PAUSE_HALF_LIFE_MS)).toBe(30);
  });

  it('ignores durations that are not positive finite numbers', () => {
    const record = new PauseRecord();
    for (const ms of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) record.note(ms, 10);
    expect(record.recentMs(10)).toBe(0);
  });
});
