/**
 * Progress and streams at the wire: the host's check of `events` messages (untrusted, like every
 * worker message), the scheduler's routing of events to held jobs only (never after settle) and
 * its credit messages, and the worker side's credit accounting over a real generator.
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/host/options.js';
import { Scheduler } from '../src/host/scheduler.js';
import { openTaskStream } from '../src/host/task-stream.js';
import { BRAND, EventKind, JobKind, type WorkerMessage } from '../src/wire/protocol.js';
import { checkWorkerMessage } from '../src/wire/wire-check.js';
import { TaskEvents } from '../src/worker/task-events.js';
import { FakeTransport, tick } from './support/fake-transport.js';

describe('wire check of events', () => {
  it('accepts well-formed events and drops malformed ones', () => {
    const ok = {
      mh: BRAND,
      k: 'events',
      events: [
        [1, EventKind.Part, { a: 1 }],
        [2, 1, 'p'],
      ],
    };
    expect(checkWorkerMessage(ok)).toBe(ok);
    for (const events of [
      undefined,
      'junk',
      [[1, 0]],
      [[1, 2, 'x']],
      [['1', 0, 'x']],
      [[1.5, 0, 'x']],
      [[1, 0, 'x', 'extra']],
      [null],
      [{ 0: 1, 1: 0, 2: 'x', length: 3 }],
    ]) {
      expect(checkWorkerMessage({ mh: BRAND, k: 'events', events })).toBeUndefined();
    }
    const hostile = {
      mh: BRAND,
      k: 'events',
      get events(): never {
        throw new Error('trap');
      },
    };
    expect(checkWorkerMessage(hostile)).toBeUndefined();
  });
});

describe('scheduler routing of events', () => {
  function setup() {
    const transport = new FakeTransport(false);
    const scheduler = new Scheduler(transport, 'file:///tasks.js', resolveOptions({ workers: 1 }));
    return { transport, scheduler };
  }

  it('hands progress to the held job in order, and drops events of settled or unknown jobs', async () => {
    const { transport, scheduler } = setup();
    const seen: unknown[] = [];
    const done = scheduler.submit({
      kind: JobKind.Call,
      task: 't',
      payload: [],
      items: 1,
      events: { progress: (v) => seen.push(v) },
    });
    await tick();
    const w = transport.workers[0];
    if (!w) throw new Error('no worker');
    w.ready();
    await tick();
    const [id] = w.jobIds();
    if (id === undefined) throw new Error('no job');
    w.post({
      k: 'events',
      events: [
        [id, EventKind.Progress, 1],
        [id + 100, EventKind.Progress, 'x'],
        [id, EventKind.Progress, 2],
      ],
    });
    w.results([w.ok(id, 'r')]);
    w.post({ k: 'events', events: [[id, EventKind.Progress, 'late']] });
    expect(await done).toBe('r');
    w.post({ k: 'events', events: [[id, EventKind.Progress, 'later']] });
    expect(seen).toStrictEqual([1, 2]);
  });

  it('a stream job carries its credit, and reading parts grants it back half a window at a time', async () => {
    const { transport, scheduler } = setup();
    const stream = openTaskStream(scheduler, 't', [7], { highWaterMark: 4 });
    const first = stream.next();
    await tick();
    const w = transport.workers[0];
    if (!w) throw new Error('no worker');
    w.ready();
    await tick();
    const job = w.jobs()[0];
    expect(job).toStrictEqual([1, JobKind.Stream, 't', [7], 4]);
    w.post({ k: 'events', events: [1, 2, 3, 4].map((v) => [1, EventKind.Part, v] as const) });
    expect(await first).toStrictEqual({ done: false, value: 1 });
    expect(w.messages('credit')).toStrictEqual([]);
    expect(await stream.next()).toStrictEqual({ done: false, value: 2 });
    expect(w.messages('credit')).toStrictEqual([{ mh: BRAND, k: 'credit', id: 1, n: 2 }]);
    // Reads may be asked for before the last one settled: they are answered in order.
    const [third, fourth, fifth] = [stream.next(), stream.next(), stream.next()];
    expect(await third).toStrictEqual({ done: false, value: 3 });
    expect(await fourth).toStrictEqual({ done: false, value: 4 });
    w.post({ k: 'events', events: [[1, EventKind.Part, 5]] });
    expect(await fifth).toStrictEqual({ done: false, value: 5 });
    // A read pending when the loop returns ends with it, rather than hanging.
    const pending = stream.next();
    // Breaking out cancels the job in its worker; later parts are dropped.
    expect(await stream.return?.()).toStrictEqual({ done: true, value: undefined });
    expect(await pending).toStrictEqual({ done: true, value: undefined });
    expect(w.messages('cancel')).toStrictEqual([{ mh: BRAND, k: 'cancel', ids: [1] }]);
    w.post({ k: 'events', events: [[1, EventKind.Part, 6]] });
    expect(await stream.next()).toStrictEqual({ done: true, value: undefined });
  });
});

describe('worker-side stream driver', () => {
  it('never pulls the generator past its credit, and a cancel returns it', async () => {
    let pulled = 0;
    let returned = false;
    function* source() {
      try {
        for (;;) {
          pulled++;
          yield pulled;
        }
      } finally {
        returned = true;
      }
    }
    const posted: WorkerMessage[] = [];
    const events = new TaskEvents(() => {});
    const done = events
      .stream(1, 'source', source, {
        credit: 3,
        observed: false,
        context: undefined,
        resume: (step) => step(),
      })
      .catch((e: unknown) => e);
    for (let i = 0; i < 5; i++) await tick();
    expect(pulled).toBe(3);
    events.flush((m) => posted.push(m), []);
    expect(posted).toStrictEqual([
      {
        mh: BRAND,
        k: 'events',
        events: [
          [1, 0, 1],
          [1, 0, 2],
          [1, 0, 3],
        ],
      },
    ]);
    events.grant(1, 2);
    for (let i = 0; i < 5; i++) await tick();
    expect(pulled).toBe(5);
    events.cancel(1);
    expect(await done).toBeInstanceOf(Error);
    expect(returned).toBe(true);
  });
});
