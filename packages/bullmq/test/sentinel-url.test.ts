/** `redis+sentinel://` URLs, and the `launcher` option of startWorkerNodes: no Redis needed. */
import { describe, expect, it } from 'vitest';
import { createBullmqExecutor, startWorkerNodes } from '../dist/index.js';
import { checkRedisTarget, describeRedis } from '../dist/redis-connection.js';
import { isSentinelUrl, sentinelOptions } from '../dist/sentinel-url.js';

const TASKS = new URL('./fixtures/node-tasks.mjs', import.meta.url);

describe('bullmq: Redis under Sentinel, named by a URL', () => {
  it('parses sentinels, master name, credentials, db and sentinel auth', () => {
    expect(isSentinelUrl('redis+sentinel://h:1/m')).toBe(true);
    expect(isSentinelUrl('redis://h:1')).toBe(false);
    expect(sentinelOptions('redis+sentinel://10.0.0.5:26379,10.0.0.6/mymaster')).toEqual({
      sentinels: [
        { host: '10.0.0.5', port: 26379 },
        { host: '10.0.0.6', port: 26379 },
      ],
      name: 'mymaster',
    });
    expect(
      sentinelOptions(
        'redis+sentinel://app:p%40ss@[::1]:5000/m%2Dx?db=2&sentinelPassword=s&sentinelUsername=su',
      ),
    ).toEqual({
      sentinels: [{ host: '::1', port: 5000 }],
      name: 'm-x',
      username: 'app',
      password: 'p@ss',
      db: 2,
      sentinelPassword: 's',
      sentinelUsername: 'su',
    });
    expect(sentinelOptions('rediss+sentinel://:pw@h:1/m')).toMatchObject({
      password: 'pw',
      tls: {},
      enableTLSForSentinelMode: true,
    });
  });

  it('refuses malformed URLs with a TypeError that says what is missing', () => {
    expect(() => sentinelOptions('redis+sentinel:///m')).toThrow(/at least one sentinel/);
    expect(() => sentinelOptions('redis+sentinel://h:1')).toThrow(/master name/);
    expect(() => sentinelOptions('redis+sentinel://h:1/')).toThrow(/master name/);
    expect(() => sentinelOptions('redis+sentinel://h:99999/m')).toThrow(/Bad sentinel address/);
    expect(() => sentinelOptions('redis+sentinel://h:1/m?db=x')).toThrow(/Bad db/);
    expect(() => sentinelOptions('redis://h:1')).toThrow(TypeError);
    expect(() => checkRedisTarget('redis', 'redis+sentinel://h:1')).toThrow(TypeError);
    expect(() =>
      createBullmqExecutor(TASKS, { queue: 'q', redis: 'redis+sentinel://h:1' }),
    ).toThrow(/master name/);
    expect(() => checkRedisTarget('redis', 'redis+sentinel://h:1/m')).not.toThrow();
  });

  it('never shows a password, and names every sentinel', () => {
    expect(describeRedis('redis+sentinel://u:secret@a:1,b:2/m')).toBe(
      'redis+sentinel://u@a:1,b:2/m',
    );
    expect(describeRedis({ sentinels: [{ host: 'a', port: 1 }], name: 'm', password: 'x' })).toBe(
      'redis+sentinel://a:1/m',
    );
    expect(describeRedis('redis+sentinel://u:secret@h:1')).not.toContain('secret');
    expect(() => checkRedisTarget('redis', 'http://u:secret@h')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') }),
    );
  });
});

describe('bullmq: startWorkerNodes launcher', () => {
  it('refuses a launcher that is not a non-empty list of strings', async () => {
    for (const launcher of [[], 'ip netns exec x', [''], [42]]) {
      await expect(
        startWorkerNodes({ tasks: TASKS, queue: 'q', launcher: launcher as never }),
      ).rejects.toThrow(/Option "launcher"/);
    }
  });
});
