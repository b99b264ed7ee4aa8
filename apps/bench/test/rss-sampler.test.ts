import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RssSampler } from '../dist/rss-sampler.js';

describe.skipIf(!existsSync('/proc/self/status'))('RssSampler', () => {
  it('samples only inside around(), and counts the children of the tree', async () => {
    // A child that holds ~64 MB for as long as it lives.
    const child = spawn(
      process.execPath,
      [
        '-e',
        "globalThis.b = Buffer.alloc(64 * 1024 * 1024, 1); console.log('ready'); setInterval(() => {}, 1000)",
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const sampler = new RssSampler(process.pid);
      await new Promise((resolve) => child.stdout.once('data', resolve));
      // Nothing measured yet: no sample was taken outside a measurement.
      expect(sampler.peakKb()).toBe(0);
      const value = await sampler.around(async () => {
        await new Promise((resolve) => setTimeout(resolve, 250));
        return 'done';
      });
      expect(value).toBe('done');
      const peak = sampler.peakKb();
      // This process plus the child's buffer.
      expect(peak).toBeGreaterThan(64 * 1024);
      // After the measurement it no longer samples: the peak stays put.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(sampler.peakKb()).toBe(peak);
    } finally {
      child.kill();
    }
  });

  it('a measurement that throws still ends its sampling and passes the error on', async () => {
    const sampler = new RssSampler(process.pid);
    await expect(
      sampler.around(async () => {
        throw new Error('case failed');
      }),
    ).rejects.toThrow('case failed');
    expect(sampler.peakKb()).toBeGreaterThan(0);
  });
});
