/**
 * Redis failover under Sentinel: a primary, one replica and three sentinels (quorum 2), each on
 * its own host, the caller and two nodes on theirs, all connected with a `redis+sentinel://` URL
 * that lists the sentinels. Mid-map the primary's host and the host of the sentinel listed first
 * drop off the network (their links go down, the processes live on: connections to them time
 * out rather than being refused, as when a machine dies): the two sentinels left agree on the
 * failover, and the caller and the nodes, asking the next sentinel in their list, follow the
 * promotion. The map completes with every
 * item exactly once, or rejects with a typed `RedisConnectionError` within its bound; it never
 * hangs and never delivers a result twice. Afterwards the executor works on the new primary.
 */
import { afterEach, expect, it } from 'vitest';
import { FAST_STALLS } from './support/nodes.js';
import { describeWithSentinel, type ScaleLab, startScaleLab } from './support/scale-lab.js';

const labs: ScaleLab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.destroy();
});

describeWithSentinel('bullmq: Redis failover under Sentinel', () => {
  it('the primary and a sentinel cut off mid-map: the map completes exactly once or fails typed, then work goes on', async () => {
    const scale = await startScaleLab({ sentinel: true });
    labs.push(scale);
    const sentinel = scale.sentinel as NonNullable<ScaleLab['sentinel']>;
    await scale.addNodes(2, FAST_STALLS);
    const count = 20_000;
    // A failover takes the sentinel's down-after (1 s) plus the promotion: well within 15 s.
    const caller = scale.caller({
      mode: 'imap',
      task: 'taggedSlow',
      count,
      rounds: 2,
      options: { redisTimeout: 15_000 },
    });
    await caller.until((e) => e.event === 'progress');
    // The primary's host and the first sentinel's host drop off the network: their processes
    // live on, unreachable (connections time out rather than being refused).
    scale.redisHost.linkDown();
    sentinel.sentinelHosts[0]?.linkDown();
    // Bounded: redisTimeout, or the stall window of a job whose node lost its lock.
    const cutAt = Date.now();
    const first = await caller.round(0, 60_000);
    const outcome = first.error
      ? `rejected with ${first.error.name}: ${first.error.message}`
      : 'completed exactly once';
    console.log(`failover mid-map: ${outcome}, ${first.at - cutAt} ms after the cut`);
    if (first.error) {
      expect(first.error.name).toBe('RedisConnectionError');
      expect(first.error.code).toBe('ERR_MANYHANDS_REDIS');
    } else {
      expect(first).toMatchObject({ delivered: count, wrong: 0, missing: 0 });
    }
    // Never a duplicate delivery, in either case.
    expect(first.duplicates).toBe(0);
    // The replica was promoted, and the caller and the nodes work on it.
    expect(await sentinel.replica().call('ROLE')).toContain('master');
    caller.next();
    const second = await caller.round(1, 60_000);
    expect(second.error).toBeUndefined();
    expect(second).toMatchObject({ delivered: count, duplicates: 0, missing: 0, wrong: 0 });
    await caller.until((e) => e.event === 'closed');
  }, 120_000);
});
