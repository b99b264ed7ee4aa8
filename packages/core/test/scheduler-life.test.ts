/**
 * The scheduler's side of the worker-life options against a scripted transport: a failed
 * initializer is a `WorkerStartError` with no respawn, a worker past `recycleAtMemoryMb` is
 * retired after its results while its held jobs finish and a new worker takes the queue, and
 * heap growth per result reaches `stats().heapGrowth`. No real worker and no timing.
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/host/options.js';
import { Scheduler } from '../src/host/scheduler.js';
import { encodeThrown } from '../src/wire/error-codec.js';
import { WorkerStartError } from '../src/wire/errors.js';
import { JobKind, Outcome, type WireResult } from '../src/wire/protocol.js';
import { FakeTransport, type FakeWorker, tick } from './support/fake-transport.js';

const MiB = 1024 * 1024;

function setup(options: Record<string, unknown>) {
  const transport = new FakeTransport(true);
  const scheduler = new Scheduler(transport, 'file:///tasks.js', resolveOptions(options));
  const call = (arg: unknown) =>
    scheduler.submit({ kind: JobKind.Call, task: 't', payload: [arg], items: 1 });
  const worker = (i: number): FakeWorker => {
    const w = transport.workers[i];
    if (!w) throw new Error(`no worker ${i}`);
    return w;
  };
  return { transport, scheduler, call, worker };
}

/** A result that grew the heap by `growth` bytes. */
function grown(id: number, value: unknown, growth: number): WireResult {
  return [id, Outcome.Ok, value, 0.1, 0.1, undefined, growth];
}

describe('scheduler: worker life', () => {
  it('an initializer failure rejects the queue with WorkerStartError and starts no other worker', async () => {
    const { transport, scheduler, call, worker } = setup({ workers: 2, initializer: 'setUp' });
    const calls = Array.from({ length: 50 }, (_, i) => call(i).catch((e: unknown) => e));
    await tick();
    const spawned = transport.workers.length;
    worker(0).post({
      k: 'load-error',
      error: encodeThrown(new RangeError('bad config')),
      initializer: 'setUp',
    });
    const errors = await Promise.all(calls);
    for (const error of errors) {
      expect(error).toBeInstanceOf(WorkerStartError);
      expect((error as Error).message).toContain('initializer "setUp"');
      expect((error as Error).message).toContain('RangeError: bad config');
      expect((error as Error).cause).toBeInstanceOf(RangeError);
    }
    expect(worker(0).terminated).toBe(true);
    worker(0).exit({ exitCode: 1, signal: null });
    await tick();
    expect(transport.workers.length).toBe(spawned);
    expect(scheduler.snapshot().queued).toBe(0);
  });

  it('a worker past recycleAtMemoryMb finishes what it holds, stops, and a new worker takes the queue', async () => {
    const { transport, scheduler, call, worker } = setup({ workers: 1, recycleAtMemoryMb: 64 });
    const calls = Array.from({ length: 20 }, (_, i) => call(i));
    await tick();
    const a = worker(0);
    a.ready();
    await tick();
    const held = a.jobIds();
    // The first result takes the heap past 64 MiB: it is delivered, and the worker gets no more.
    const [first, ...rest] = held as [number, ...number[]];
    a.post({ k: 'results', results: [grown(first, 'a', 30 * MiB)], heap: 70 * MiB });
    await tick();
    expect(a.jobIds()).toStrictEqual(held);
    // What it still held finishes on it; then it is asked to stop.
    if (rest.length > 0) {
      a.post({ k: 'results', results: rest.map((id) => grown(id, 'a', MiB)), heap: 71 * MiB });
      await tick();
    }
    expect(a.messages('stop')).toHaveLength(1);
    a.exit({ exitCode: 0, signal: null });
    // Its replacement runs the rest of the queue.
    await tick();
    const b = worker(1);
    b.ready();
    const answered = new Set<number>();
    while (answered.size < calls.length - held.length) {
      await tick();
      const fresh = b.jobIds().filter((id) => !answered.has(id));
      for (const id of fresh) answered.add(id);
      if (fresh.length > 0) b.results(fresh.map((id) => grown(id, 'b', 0)));
    }
    const values = await Promise.all(calls);
    expect(values.filter((v) => v === 'a')).toHaveLength(held.length);
    expect(values.filter((v) => v === 'b')).toHaveLength(calls.length - held.length);
    const stats = scheduler.snapshot();
    expect(stats.memoryRecycles).toBe(1);
    expect(stats.completed).toBe(20);
    expect(stats.heapGrowth.t?.calls).toBe(20);
    expect(transport.workers).toHaveLength(2);
  });

  it('a heap under the limit recycles nothing; heap growth is the median per call', async () => {
    const { scheduler, call, worker } = setup({ workers: 1, recycleAtMemoryMb: 64 });
    const growth = [100, 5_000, 300];
    const calls = growth.map((_, i) => call(i));
    await tick();
    const a = worker(0);
    a.ready();
    const answered = new Set<number>();
    while (answered.size < calls.length) {
      await tick();
      const fresh = a.jobIds().filter((id) => !answered.has(id));
      for (const id of fresh) answered.add(id);
      if (fresh.length > 0) {
        a.post({
          k: 'results',
          results: fresh.map((id) => grown(id, id, growth[a.jobIds().indexOf(id)] as number)),
          heap: 10 * MiB,
        });
      }
    }
    await Promise.all(calls);
    await tick();
    expect(a.messages('stop')).toHaveLength(0);
    const stats = scheduler.snapshot();
    expect(stats.memoryRecycles).toBe(0);
    expect(stats.heapGrowth.t).toStrictEqual({ medianBytes: 300, calls: 3 });
  });
});
