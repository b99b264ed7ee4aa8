/**
 * Nodes that come and go, each on its own host (network namespace), 2 ms round trip to Redis:
 * a node that joins mid-map takes work; one that leaves politely (SIGTERM) hands back what it
 * had not finished; one cut off by a partition (its link down, the process alive) has its jobs
 * taken over after the stall window, and when it comes back its late results are ignored.
 * Every item reaches the caller exactly once, each time.
 */
import { Queue } from 'bullmq';
import { afterEach, expect, it } from 'vitest';
import { describeWithNetns } from './support/netns.js';
import { exitOf, FAST_STALLS, poll } from './support/nodes.js';
import {
  type LabNode,
  type RoundSummary,
  type ScaleLab,
  startScaleLab,
} from './support/scale-lab.js';

const labs: ScaleLab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.destroy();
});

async function lab(): Promise<ScaleLab> {
  const started = await startScaleLab({ delayMs: 1, jitterMs: 0.2 });
  labs.push(started);
  return started;
}

/** Active jobs per node pid, read from Redis. */
async function activeByPid(scale: ScaleLab): Promise<Map<number, number>> {
  const queue = new Queue(scale.queue, { connection: scale.inspector() });
  try {
    const counts = new Map<number, number>();
    for (const job of await queue.getActive()) {
      // Node ids are `<host>-<pid>-<random>`.
      const pid = Number(job.processedBy?.split('-').at(-2));
      if (pid) counts.set(pid, (counts.get(pid) ?? 0) + 1);
    }
    return counts;
  } finally {
    await queue.close();
  }
}

function expectExactlyOnce(round: RoundSummary, count: number): void {
  expect(round.error).toBeUndefined();
  expect(round).toMatchObject({ delivered: count, duplicates: 0, missing: 0, wrong: 0 });
}

describeWithNetns('bullmq: nodes that come and go, across hosts', () => {
  it('a node that joins mid-map starts taking work; every item arrives once', async () => {
    const scale = await lab();
    const [first] = await scale.addNodes(1);
    const count = 40_000; // 100 µs each: ~4 s on one node
    const caller = scale.caller({ mode: 'imap', task: 'taggedSlow', count, progressEvents: 40 });
    await caller.until((e) => e.event === 'progress');
    const [joined] = await scale.addNodes(1);
    const round = await caller.round(0);
    expectExactlyOnce(round, count);
    const byPid = round.byPid ?? {};
    // The map was still running when the new node started serving, and it took part.
    expect(round.at).toBeGreaterThan(joined?.servingAt as number);
    expect(byPid[String(joined?.pid)]).toBeGreaterThan(0);
    expect(byPid[String(first?.pid)]).toBeGreaterThan(0);
    const joinDelay = (round.firstAt?.[String(joined?.pid)] as number) - (joined?.servingAt ?? 0);
    console.log(
      `joined node: first result ${joinDelay} ms after it served, ${byPid[String(joined?.pid)]} of ${count} items`,
    );
  }, 90_000);

  it('a node leaving politely (SIGTERM) hands back what it had not finished; every item arrives once', async () => {
    const scale = await lab();
    // No grace: whatever it holds when the signal lands goes back, however loaded the machine.
    const [leaving, staying] = await scale.addNodes(2, ['--grace', '0']);
    // 100 µs each: ~3 s on two nodes, so the map is still running when the signal lands even on
    // a loaded machine (with 20,000 items it could end first, leaving nothing to hand back).
    const count = 60_000;
    const caller = scale.caller({ mode: 'imap', task: 'taggedSlow', count });
    // Signal it while it holds several jobs, so that some are still unfinished when it stops.
    await poll(
      async () => ((await activeByPid(scale)).get(leaving?.pid as number) ?? 0) >= 4 || undefined,
      30_000,
    );
    process.kill(leaving?.pid as number, 'SIGTERM');
    expect(await exitOf(leaving?.child as NonNullable<typeof leaving>['child'])).toBe(0);
    const round = await caller.round(0);
    expectExactlyOnce(round, count);
    const handedBack = scale.lines.find((line) =>
      /handed [1-9]\d* unfinished jobs back/.test(line),
    );
    expect(handedBack, scale.lines.join('\n')).toBeDefined();
    // Back to the queue at once: nothing waited for a stall check.
    expect(scale.lines.some((line) => line.includes('stalled'))).toBe(false);
    expect(round.byPid?.[String(staying?.pid)]).toBeGreaterThan(0);
  }, 90_000);

  it('a partitioned node: its jobs are taken over after the stall window; back, its late results are ignored', async () => {
    const scale = await lab();
    const [a, b] = await scale.addNodes(2, FAST_STALLS);
    const count = 15_000;
    const caller = scale.caller({ mode: 'imap', task: 'taggedSlow', count, rounds: 2 });
    // Cut a node off while it holds jobs. One can finish between the look and the cut: then
    // heal it and try again, until a cut node holds jobs it can no longer finish.
    let cut: LabNode | undefined;
    for (let attempt = 0; attempt < 5 && !cut; attempt++) {
      const busy = await poll(async () => {
        const active = await activeByPid(scale);
        return [a, b].find((node) => (active.get(node?.pid as number) ?? 0) > 0);
      }, 30_000);
      busy?.host.linkDown();
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (((await activeByPid(scale)).get(busy?.pid as number) ?? 0) > 0) cut = busy;
      else busy?.host.linkUp();
    }
    expect(cut).toBeDefined();
    const other = cut === a ? b : a;
    const first = await caller.round(0);
    expectExactlyOnce(first, count);
    // The other node took the cut one's jobs over once their locks expired.
    expect(scale.lines.some((line) => line.includes('stalled'))).toBe(true);
    expect(first.byPid?.[String(other?.pid)]).toBeGreaterThan(0);
    // Back on the network: the node finds its jobs taken (its locks are gone) and serves again.
    cut?.host.linkUp();
    await poll(async () => {
      const lines = scale.lines.filter((line) => line.startsWith(`[${cut?.pid}]`));
      return lines.some((line) => /lock|Missing|failed/i.test(line)) || undefined;
    }, 30_000);
    caller.next();
    const second = await caller.round(1);
    expectExactlyOnce(second, count);
    // Nothing of the first round leaked into the second, and stats count each item once.
    expect(second.stats?.completed).toBe(2 * count + 1);
    expect(second.stats?.failed).toBe(0);
    expect(cut?.child.exitCode).toBeNull();
  }, 90_000);
});
