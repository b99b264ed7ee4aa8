/**
 * The worker runtime against a scripted port (no thread, no process): the test plays the host.
 * A process reads many frames in one read and hands them to the runtime one after another, in
 * one turn; a reclaim or a cancel among them must find the jobs it names unstarted.
 */
import { describe, expect, it } from 'vitest';
import { BRAND, type HostMessage, JobKind, type WorkerMessage } from '../src/wire/protocol.js';
import type { WorkerPort } from '../src/worker/port.js';
import { startWorkerRuntime } from '../src/worker/worker-runtime.js';

const MODULE = new URL('./fixtures/runtime-tasks.mjs', import.meta.url).href;

type Posted = WorkerMessage & { readonly k: string };
/** A host message without its brand (added on delivery). */
type FromHost = HostMessage extends infer T ? (T extends unknown ? Omit<T, 'mh'> : never) : never;

/** A runtime on a scripted port, once it said it is ready. */
async function scriptedWorker(): Promise<{
  posted: Posted[];
  deliver(...messages: FromHost[]): void;
}> {
  const posted: Posted[] = [];
  let handler: ((message: unknown) => void) | undefined;
  const port: WorkerPort = {
    // No `process` hooks: the runtime shares the test's process.
    sharesThread: true,
    post: (message) => {
      posted.push(structuredClone(message) as Posted);
    },
    onMessage: (onMessage) => {
      handler = onMessage;
    },
    exit: () => {},
  };
  startWorkerRuntime(port, { module: MODULE, concurrency: 1 });
  for (let turn = 0; turn < 1_000 && !posted.some((m) => m.k === 'ready'); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(posted.map((m) => m.k)).toEqual(['ready']);
  posted.length = 0;
  return {
    posted,
    // All in one turn, as the frames of one read are.
    deliver: (...messages) => {
      for (const message of messages) handler?.({ mh: BRAND, ...message });
    },
  };
}

/** Waits until the runtime has answered for `count` jobs (results and given back). */
async function answers(posted: Posted[], count: number) {
  const results: number[] = [];
  const given: number[] = [];
  const cancelled: number[] = [];
  for (let turn = 0; turn < 1_000; turn++) {
    results.length = 0;
    given.length = 0;
    cancelled.length = 0;
    for (const message of posted) {
      if (message.k === 'results') {
        for (const result of message.results) results.push(result[0]);
        given.push(...(message.given ?? []));
      }
      if (message.k === 'cancelled') cancelled.push(...message.ids);
    }
    if (results.length + given.length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return { results, given, cancelled };
}

const call = (id: number) => [id, JobKind.Call, 'echo', [id]] as const;

describe('worker runtime: host messages read together', () => {
  it('gives back the jobs a reclaim names when it came in the same read as them', async () => {
    const { posted, deliver } = await scriptedWorker();
    deliver(
      { k: 'jobs', jobs: [call(1)] },
      { k: 'jobs', jobs: [call(2), call(3)] },
      { k: 'reclaim', lo: 1, hi: 3 },
    );
    const { results, given } = await answers(posted, 3);
    expect(results).toEqual([1]);
    expect(given.sort()).toEqual([2, 3]);
  });

  it('skips a cancelled job that came in the same read as its cancel', async () => {
    const { posted, deliver } = await scriptedWorker();
    deliver({ k: 'jobs', jobs: [call(4), call(5), call(6)] }, { k: 'cancel', ids: [5] });
    const { results, cancelled } = await answers(posted, 2);
    expect(results).toEqual([4, 6]);
    expect(cancelled).toEqual([5]);
  });

  it('under load: 2,000 jobs in 40 frames, then a reclaim of the last 1,000 and a cancel', async () => {
    const { posted, deliver } = await scriptedWorker();
    const frames: FromHost[] = [];
    for (let f = 0; f < 40; f++) {
      frames.push({ k: 'jobs', jobs: Array.from({ length: 50 }, (_, i) => call(f * 50 + i + 1)) });
    }
    deliver(...frames, { k: 'cancel', ids: [7] }, { k: 'reclaim', lo: 1_000, hi: 2_000 });
    const { results, given, cancelled } = await answers(posted, 1_999);
    const ran = Array.from({ length: 1_000 }, (_, i) => i + 1).filter((id) => id !== 7);
    expect(results).toEqual(ran);
    expect(given.sort((a, b) => a - b)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1_001));
    expect(cancelled).toEqual([7]);
  });
});
