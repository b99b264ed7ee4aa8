/**
 * Separate hosts with real latency between them: Redis, the caller and two nodes each in their
 * own network namespace, every connection to Redis through a proxy that delays it (0, 2 and
 * 20 ms round trip, with jitter). A map, an unordered imap and a burst of runs with failures
 * among them all settle correctly, each result exactly once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithNetns } from './support/netns.js';
import { type ScaleLab, startScaleLab } from './support/scale-lab.js';

for (const rttMs of [0, 2, 20]) {
  describeWithNetns(`bullmq across hosts at ${rttMs} ms round trip`, () => {
    let lab: ScaleLab;
    beforeAll(async () => {
      lab = await startScaleLab({ delayMs: rttMs / 2, jitterMs: rttMs / 10 });
      await lab.addNodes(2);
    }, 60_000);
    afterAll(async () => {
      await lab?.destroy();
    });

    it('map, unordered imap and a burst of runs with failures settle correctly, each once', async () => {
      const map = lab.caller({ mode: 'map', count: 10_000, task: 'slowSquare' });
      // 100 µs items, ~1 s of work in all: enough that both nodes must share it. (With 2 µs
      // items the whole imap was 20 ms of work, which one node may rightly take alone while the
      // other is descheduled on a loaded machine.)
      const imap = lab.caller({ mode: 'imap', count: 10_000, task: 'taggedSlow' });
      const burst = lab.caller({ mode: 'burst', count: 500 });
      const [m, i, b] = await Promise.all([map.round(0), imap.round(0), burst.round(0)]);
      for (const summary of [m, i, b]) expect(summary.error).toBeUndefined();
      expect(m).toMatchObject({ delivered: 10_000, wrong: 0, missing: 0 });
      expect(i).toMatchObject({ delivered: 10_000, wrong: 0, missing: 0, duplicates: 0 });
      // Every tenth run threw a RangeError that arrived as one; the others resolved.
      expect(b).toMatchObject({ delivered: 500, wrong: 0 });
      // 10 000 items and the warm-up run.
      expect(i.stats).toMatchObject({ completed: 10_001, failed: 0 });
      // Both nodes took part.
      expect(Object.keys(i.byPid ?? {}).length).toBe(2);
      await Promise.all([map, imap, burst].map((c) => c.until((e) => e.event === 'closed')));
    }, 110_000);
  });
}
