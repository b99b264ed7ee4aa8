/**
 * The scheduler against a scripted transport: crash triage, work stealing, cancel grace,
 * recycling and retries, step by step, with no real worker and no timing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostPauses } from '../src/host/host-pauses.js';
import { resolveOptions } from '../src/host/options.js';
import { Scheduler } from '../src/host/scheduler.js';
import { encodeThrown } from '../src/wire/error-codec.js';
import { TaskTimeoutError, WorkerExitError } from '../src/wire/errors.js';
import { HOLE_HI, HOLE_LO } from '../src/wire/progress-words.js';
import { JobKind, Outcome } from '../src/wire/protocol.js';
import { FakeTransport, type FakeWorker, tick } from './support/fake-transport.js';

function setup(shared: boolean, options: Record<string, unknown> = {}) {
  const transport = new FakeTransport(shared);
  const scheduler = new Scheduler(
    transport,
    'file:///tasks.js',
    resolveOptions({ workers: 2, ...options }),
  );
  const call = (arg: unknown, extra: Record<string, unknown> = {}) =>
    scheduler.submit({ kind: JobKind.Call, task: 't', payload: [arg], items: 1, ...extra });
  return { transport, scheduler, call };
}

function worker(transport: FakeTransport, index: number): FakeWorker {
  const w = transport.workers[index];
  if (!w) throw new Error(`no worker ${index}`);
  return w;
}

/** Starts both workers and teaches the scheduler that a `t` call holds a worker for `ms`. */
async function warmUp(
  transport: FakeTransport,
  call: (a: unknown) => Promise<unknown>,
  ms: number,
) {
  const first = [call('a'), call('b')];
  await tick();
  const [a, b] = [worker(transport, 0), worker(transport, 1)];
  a.ready();
  b.ready();
  await tick();
  for (const w of [a, b]) w.results(w.jobIds().map((id) => w.ok(id, 'warm', ms)));
  await Promise.all(first);
  return [a, b] as const;
}

/** `n` calls of `t`, each settling to its value or its error (never rejecting). */
function settledCalls(call: (arg: unknown) => Promise<unknown>, n: number): Promise<unknown>[] {
  return Array.from({ length: n }, (_, i) =>
    call(i).then(
      (value) => value,
      (error: unknown) => error,
    ),
  );
}

/** Worker `w` answers each job it is sent, once, for a few turns (requeued jobs included). */
async function answerEverything(w: FakeWorker): Promise<void> {
  const answered = new Set<number>();
  for (let round = 0; round < 5; round++) {
    const fresh = w.jobIds().filter((id) => !answered.has(id));
    for (const id of fresh) answered.add(id);
    w.results(fresh.map((id) => w.ok(id, `answered ${id}`)));
    await tick();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduler: a dying worker', () => {
  it('with shared memory: its finished results arrive, the started job fails, the unstarted run elsewhere', async () => {
    const { transport, call } = setup(true);
    const [a, b] = await warmUp(transport, call, 1);
    const calls = settledCalls(call, 8);
    await tick();
    const held = a.jobIds().slice(1); // after the warm-up job
    expect(held.length).toBeGreaterThanOrEqual(3);
    // A finished its first job, started the second, then died.
    a.results([a.ok(held[0] as number, 'done')]);
    a.setStarted(3);
    a.exit({ exitCode: 3, signal: null });
    await tick();
    // B answers everything it gets, the requeued jobs included.
    await answerEverything(b);
    const outcomes = await Promise.all(calls);
    const failed = outcomes.filter((o) => o instanceof WorkerExitError);
    expect(failed).toHaveLength(1);
    expect(outcomes).toContain('done');
    expect(outcomes.filter((o) => typeof o === 'string')).toHaveLength(7);
  });

  it('without shared memory: its dying message says how far it got', async () => {
    const { transport, call } = setup(false);
    const [a, b] = await warmUp(transport, call, 1);
    const calls = settledCalls(call, 8);
    await tick();
    const held = a.jobIds().slice(1);
    a.results([a.ok(held[0] as number, 'done')], { started: 3, final: true });
    a.exit({ exitCode: 3, signal: null });
    await tick();
    await answerEverything(b);
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o instanceof WorkerExitError)).toHaveLength(1);
    expect(outcomes.filter((o) => typeof o === 'string')).toHaveLength(7);
  });

  it('a hard death with no word from the worker fails every job it held, and nothing else', async () => {
    const { transport, call } = setup(false);
    const [a, b] = await warmUp(transport, call, 1);
    const calls = settledCalls(call, 8);
    await tick();
    const heldByA = a.jobIds().length - 1;
    a.exit({ exitCode: null, signal: 'SIGKILL' });
    await tick();
    b.results(
      b
        .jobIds()
        .slice(1)
        .map((id) => b.ok(id, 'ok')),
    );
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o instanceof WorkerExitError)).toHaveLength(heldByA);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(8 - heldByA);
  });
});

describe('scheduler: work stealing', () => {
  it('with shared memory, an idle worker takes unstarted jobs from a busy one at once', async () => {
    const { transport, call } = setup(true);
    const [a, b] = await warmUp(transport, call, 2);
    const calls = Array.from({ length: 6 }, (_, i) => call(i));
    await tick();
    const onA = a.jobIds().slice(1);
    const onB = b.jobIds().slice(1);
    expect(onA).toHaveLength(3);
    a.setStarted(2); // running its first job of the six
    b.results(onB.map((id) => b.ok(id, 'b', 2)));
    await tick();
    // A's tail went to B without asking A: the hole covers it.
    const stolen = b.jobIds().slice(1 + onB.length);
    expect(stolen).toEqual([onA[2]]);
    const words = a.handle.progress as Int32Array;
    expect([Atomics.load(words, HOLE_LO), Atomics.load(words, HOLE_HI)]).toEqual([3, 4]);
    b.results(stolen.map((id) => b.ok(id, 'stolen', 2)));
    a.results(onA.slice(0, 2).map((id) => a.ok(id, 'a', 2)));
    // A skips the stolen job and says so; the host ignores what it already moved.
    a.results([], { given: stolen });
    const values = await Promise.all(calls);
    expect(values.filter((v) => v === 'stolen')).toHaveLength(1);
  });

  it('without shared memory, the busy worker is asked and its answer moves the jobs', async () => {
    const { transport, call } = setup(false);
    const [a, b] = await warmUp(transport, call, 2);
    const calls = Array.from({ length: 6 }, (_, i) => call(i));
    await tick();
    const onA = a.jobIds().slice(1);
    const onB = b.jobIds().slice(1);
    b.results(onB.map((id) => b.ok(id, 'b', 2)));
    await tick();
    const [reclaim] = a.messages('reclaim');
    expect(reclaim).toBeDefined();
    expect(b.jobIds()).toHaveLength(1 + onB.length); // nothing moved before A answers
    a.results([], { given: [onA[2]] });
    await tick();
    expect(b.jobIds().slice(1 + onB.length)).toEqual([onA[2]]);
    b.results([b.ok(onA[2] as number, 'stolen', 2)]);
    a.results(onA.slice(0, 2).map((id) => a.ok(id, 'a', 2)));
    const values = await Promise.all(calls);
    expect(values.filter((v) => v === 'stolen')).toHaveLength(1);
  });

  it('does not steal tiny jobs: a steal would cost more than it saves', async () => {
    const { transport, call } = setup(true);
    const [a, b] = await warmUp(transport, call, 0.001);
    const calls = Array.from({ length: 200 }, (_, i) => call(i));
    await tick();
    const onB = b.jobIds().slice(1);
    b.results(onB.map((id) => b.ok(id, 'b', 0.001)));
    await tick();
    expect(b.jobIds()).toHaveLength(1 + onB.length);
    a.results(
      a
        .jobIds()
        .slice(1)
        .map((id) => a.ok(id, 'a', 0.001)),
    );
    await Promise.all(calls);
  });
});

/**
 * Two started workers that have learned that a map item (`t`) holds a worker 3 ms, a way to
 * submit one-item chunks, and one that answers every job any live worker holds (a replacement
 * worker is made ready first), each once, for a few turns, with its own id.
 */
async function chunkSetup() {
  const { transport, scheduler, call } = setup(true);
  const [a, b] = await warmUp(transport, call, 1);
  const chunk = (n: number) =>
    scheduler.submit({ kind: JobKind.Chunk, task: 't', payload: [n], items: 1 });
  const answered = new Set<number>();
  const readied = new Set<FakeWorker>([a, b]);
  /** Workers that died: they answer nothing more. */
  const dead = new Set<FakeWorker>();
  const answerAll = async () => {
    for (let round = 0; round < 30; round++) {
      for (const w of transport.workers) {
        if (w.terminated || dead.has(w)) continue;
        if (!readied.has(w)) {
          readied.add(w);
          w.ready();
        }
        const fresh = w.jobIds().filter((id) => !answered.has(id));
        for (const id of fresh) answered.add(id);
        w.results(fresh.map((id) => w.ok(id, [id], 3)));
      }
      await tick();
    }
  };
  const first = [chunk(0), chunk(1)];
  await tick();
  await answerAll();
  await Promise.all(first);
  return { a, b, chunk, answerAll, answered, dead };
}

describe('scheduler: map chunks a worker holds', () => {
  it('a couple while the host is responsive; enough to outlast its recent long pause', async () => {
    const { a, b, chunk, answerAll } = await chunkSetup();
    const sent = () => [a.jobIds().length, b.jobIds().length];
    const since = (before: number[]) => sent().map((n, i) => n - (before[i] ?? 0));

    // 6 ms beyond the first job: two 3 ms chunks each, the rest wait in the queue; a short
    // pause of the host (a small heap's scavenge) changes nothing.
    for (const pause of [0, 10]) {
      if (pause > 0) hostPauses.note(pause);
      const before = sent();
      const shallow = Array.from({ length: 40 }, (_, i) => chunk(i));
      await tick();
      expect(since(before)).toEqual([2, 2]);
      await answerAll();
      await Promise.all(shallow);
    }

    // The host was just paused for 30 ms: a worker now holds up to twice that.
    hostPauses.note(30);
    const before = sent();
    const deep = Array.from({ length: 60 }, (_, i) => chunk(i));
    await tick();
    const [onA, onB] = since(before) as [number, number];
    expect(onA).toBeGreaterThanOrEqual(18);
    expect(onA).toBeLessThanOrEqual(21);
    expect(onB).toBe(onA);
    await answerAll();
    await Promise.all(deep);
  });

  it('a worker that dies holding a deep queue fails only the chunk it ran; the rest run elsewhere', async () => {
    const { a, chunk, answerAll, answered, dead } = await chunkSetup();
    hostPauses.note(30);
    const chunks = Array.from({ length: 40 }, (_, i) =>
      chunk(i).then(
        (value) => value,
        (error: unknown) => error,
      ),
    );
    await tick();
    const held = a.jobIds().slice(2); // after the warm-up call and the first chunk
    expect(held.length).toBeGreaterThanOrEqual(18);
    // A finished its first chunk, started the second, then died with the rest unstarted.
    const [done, running] = held as [number, number];
    answered.add(done).add(running);
    a.results([a.ok(done, ['done'], 3)]);
    a.setStarted(4);
    a.exit({ exitCode: 3, signal: null });
    dead.add(a);
    await tick();
    await answerAll();
    const outcomes = await Promise.all(chunks);
    const failed = outcomes.filter((o) => o instanceof WorkerExitError);
    expect(failed).toHaveLength(1);
    expect(outcomes.filter((o) => Array.isArray(o))).toHaveLength(39);
    expect(outcomes).toContainEqual(['done']);
    // Every chunk A held but had not started ran again, elsewhere, and kept its place.
    for (const id of held.slice(2)) expect(outcomes).toContainEqual([id]);
  });
});

describe('scheduler: cancel, recycle, retries', () => {
  it('a timed-out job is cancelled in its worker, which is killed when it does not answer', async () => {
    const { transport, call } = setup(true, { workers: 1 });
    const pending = call('x', { timeout: 50 }).catch((e: unknown) => e);
    await tick();
    const a = worker(transport, 0);
    a.ready();
    await tick();
    a.setStarted(1);
    const error = await pending;
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(a.messages('cancel')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(a.terminated).toBe(true);
  });

  it('a worker that acknowledges the cancel is kept', async () => {
    const { transport, call } = setup(true, { workers: 1 });
    const pending = call('x', { timeout: 20 }).catch((e: unknown) => e);
    await tick();
    const a = worker(transport, 0);
    a.ready();
    await tick();
    a.setStarted(1);
    await pending;
    a.post({ k: 'cancelled', ids: a.messages('cancel')[0]?.ids ?? [] });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(a.terminated).toBe(false);
  });

  it('recycleAfter asks a worker to stop after that many jobs', async () => {
    const { transport, call } = setup(true, { workers: 1, recycleAfter: 2 });
    const calls = [call(1), call(2)];
    await tick();
    const a = worker(transport, 0);
    a.ready();
    await tick();
    for (const id of [0, 1]) {
      a.results([a.ok(a.jobIds()[id] as number, 'r')]);
      await tick();
    }
    await Promise.all(calls);
    await tick();
    expect(a.messages('stop')).toHaveLength(1);
  });

  it('retries run a failed job again, then give up with the task error', async () => {
    const { transport, call } = setup(true, { workers: 1 });
    const pending = call('x', { retries: 1 }).catch((e: unknown) => e);
    await tick();
    const a = worker(transport, 0);
    a.ready();
    await tick();
    const thrown = encodeThrown(new RangeError('no'));
    for (let attempt = 0; attempt < 2; attempt++) {
      const id = a.jobIds()[attempt] as number;
      a.results([[id, Outcome.Threw, thrown, 1, 1]]);
      await tick();
    }
    expect(a.jobIds()).toHaveLength(2);
    const error = await pending;
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('no');
  });

  it('drops malformed messages from a worker instead of acting on them', async () => {
    const { transport, call } = setup(true, { workers: 1 });
    const pending = call('x');
    await tick();
    const a = worker(transport, 0);
    a.post({ k: 'ready', tasks: null } as never);
    a.post({ k: 'results', results: [null] } as never);
    a.post({ k: 'load-error' } as never);
    a.ready();
    await tick();
    a.results([a.ok(a.jobIds()[0] as number, 'fine')]);
    expect(await pending).toBe('fine');
  });
});
