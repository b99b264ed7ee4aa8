/** Option checks, the wire encoding and redaction: no Redis needed. */
import { afterEach, describe, expect, it } from 'vitest';
import { createBullmqExecutor } from '../dist/index.js';
import { describeRedis } from '../dist/redis-connection.js';
import { decodeJobs, decodeNodeMessage, encodeJobs, encodeNodeMessage } from '../dist/wire.js';

const TASKS = new URL('./fixtures/node-tasks.mjs', import.meta.url);
const saved = process.env.MANYHANDS_QUEUE;
afterEach(() => {
  if (saved === undefined) delete process.env.MANYHANDS_QUEUE;
  else process.env.MANYHANDS_QUEUE = saved;
});

describe('bullmq: options', () => {
  it('needs a queue, from the options or MANYHANDS_QUEUE', async () => {
    delete process.env.MANYHANDS_QUEUE;
    expect(() => createBullmqExecutor(TASKS)).toThrow(/Option "queue" is required/);
    process.env.MANYHANDS_QUEUE = 'from-env';
    const pool = createBullmqExecutor(TASKS, { redis: 'redis://127.0.0.1:1' });
    expect(pool.backend).toBe('bullmq');
    await pool.close();
  });

  it('rejects bad options at construction with TypeError/RangeError', () => {
    const make = (options: Record<string, unknown>) => () =>
      createBullmqExecutor(TASKS, { queue: 'q', ...options });
    expect(make({ queue: 'a:b' })).toThrow(RangeError);
    expect(make({ queue: '' })).toThrow(TypeError);
    expect(make({ prefix: 42 })).toThrow(TypeError);
    expect(make({ redis: 'http://host' })).toThrow(TypeError);
    expect(make({ redis: 42 })).toThrow(TypeError);
    expect(make({ nodeTimeout: 0 })).toThrow(RangeError);
    expect(make({ redisTimeout: 'soon' })).toThrow(TypeError);
    expect(make({ quue: 'x' })).toThrow(/Unknown option "quue"/);
    expect(make({ workers: 0 })).toThrow(RangeError);
  });

  it('never shows a password in messages', () => {
    expect(describeRedis('redis://user:secret@host:6380/2')).toBe('redis://user:***@host:6380/2');
    expect(describeRedis('rediss://:secret@host')).toBe('rediss://:***@host');
    expect(describeRedis({ host: 'h', port: 1, username: 'u', password: 'secret' })).toBe(
      'redis://u@h:1',
    );
  });
});

describe('bullmq: wire encoding', () => {
  it('keeps structured-clone fidelity both ways', () => {
    const args = [12n, new Map([[1, new Set(['a'])]]), new Date(0), undefined, -0, /x/g];
    const [job] = decodeJobs({ c: 'caller', w: encodeJobs([[7, 0, 'task', args]]) }).jobs;
    expect(job).toStrictEqual([7, 0, 'task', args]);
    const error = new RangeError('bad', { cause: new Error('root') });
    const message = decodeNodeMessage(
      encodeNodeMessage([0, 'job-1', [[7, 0, { big: 2n ** 70n, error }, 1, 1]], []]),
    );
    expect(message).toStrictEqual([0, 'job-1', [[7, 0, { big: 2n ** 70n, error }, 1, 1]], []]);
  });

  it('refuses job data it did not write', () => {
    expect(() => decodeJobs({ code: 'process.exit()' })).toThrow(TypeError);
    expect(() => decodeJobs({ c: 'x', w: encodeJobs([[1, 0, 'ok', []]]).slice(0, 3) })).toThrow();
    expect(() => decodeJobs({ c: 'x', w: Buffer.from('{}').toString('base64') })).toThrow();
  });
});
