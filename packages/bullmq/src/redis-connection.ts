/**
 * Turns the user's connection setting (a URL or ioredis options: password, ACL user, TLS) into
 * ioredis clients, fails fast with a clear message when Redis cannot be reached, and lets idle
 * clients stop holding the process open.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisConnectionError } from './errors.js';
import { isSentinelUrl, sentinelOptions } from './sentinel-url.js';

/**
 * Where Redis is: a URL (`redis://user:password@host:6379/0`, `rediss://…` for TLS,
 * `redis+sentinel://[user:password@]host:26379[,host:port…]/mymaster` under Sentinel) or ioredis
 * options (`{ host, port, username, password, tls: { ca } }`, or `{ sentinels, name, … }`).
 */
export type RedisTarget = string | RedisOptions;

/** The URL used when none is given: `$MANYHANDS_REDIS_URL`, else Redis on loopback. */
export function defaultRedisTarget(): RedisTarget {
  return process.env.MANYHANDS_REDIS_URL || 'redis://127.0.0.1:6379';
}

/** Checks a {@link RedisTarget} given as an option. */
export function checkRedisTarget(name: string, value: unknown): void {
  if (typeof value === 'string') {
    if (isSentinelUrl(value)) {
      sentinelOptions(value); // throws on a malformed one
      return;
    }
    if (!/^rediss?:\/\//i.test(value)) {
      throw new TypeError(
        `Option "${name}" must be a redis://, rediss:// or redis+sentinel:// URL, got "${describeRedis(value)}".`,
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Option "${name}" must be a Redis URL or an ioredis options object.`);
  }
}

/** Where a target points, for messages: the URL with any password replaced by `***`. */
export function describeRedis(target: RedisTarget): string {
  if (typeof target === 'string' && isSentinelUrl(target)) {
    try {
      return describeRedis(sentinelOptions(target));
    } catch {
      return 'the configured redis+sentinel:// URL';
    }
  }
  if (typeof target === 'string') {
    try {
      const url = new URL(target);
      if (url.password) url.password = '***';
      return url.toString();
    } catch {
      return 'the configured Redis URL';
    }
  }
  const scheme = target.tls ? 'rediss' : 'redis';
  const user = target.username ? `${target.username}@` : '';
  if (target.sentinels && target.sentinels.length > 0) {
    const hosts = target.sentinels
      .map((s) => `${s.host ?? '127.0.0.1'}:${s.port ?? 26379}`)
      .join(',');
    return `${scheme}+sentinel://${user}${hosts}/${target.name ?? 'mymaster'}`;
  }
  if (target.path) return `${scheme}+unix://${user}${target.path}`;
  return `${scheme}://${user}${target.host ?? '127.0.0.1'}:${target.port ?? 6379}`;
}

/** Connect timeout under Sentinel (given options may set their own `connectTimeout`). */
const SENTINEL_CONNECT_TIMEOUT_MS = 2_000;

/**
 * A new client. `maxRetriesPerRequest: null` keeps commands queued across a reconnect (BullMQ
 * requires it); this package bounds outages with its own `redisTimeout` instead. A command
 * answered `READONLY` (sent to a replica mid-failover) is sent again after reconnecting.
 */
export function createRedisClient(target: RedisTarget, name: string): Redis {
  const overrides: RedisOptions = {
    maxRetriesPerRequest: null,
    connectionName: name,
    // Connected to a server that just became (or still is) a replica, as in a failover:
    // reconnect and send the command again, rather than fail it.
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
  const options =
    typeof target === 'string' && isSentinelUrl(target) ? sentinelOptions(target) : target;
  if (typeof options === 'string') return new Redis(options, overrides);
  // Under Sentinel, hear of a failover at once (+switch-master) rather than at the next error;
  // and give up on a sentinel (or server) that does not answer a connect within 2 s, so a
  // sentinel whose machine went down costs 2 s before the next one is asked, not ioredis's 10 s.
  const sentinel: RedisOptions = options.sentinels
    ? { failoverDetector: true, connectTimeout: SENTINEL_CONNECT_TIMEOUT_MS }
    : {};
  return new Redis({ ...sentinel, ...options, ...overrides });
}

/**
 * Resolves once `client` is ready; rejects with {@link RedisConnectionError} at the first error
 * before that (refused, unknown host, wrong password, TLS failure) and stops the client, so a
 * wrong address fails at once instead of retrying forever.
 */
export function whenReady(client: Redis, target: RedisTarget): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      client.disconnect();
      reject(
        new RedisConnectionError(
          `Cannot connect to Redis at ${describeRedis(target)}: ${error.message}`,
          { cause: error },
        ),
      );
    };
    const onEnd = (): void => {
      cleanup();
      reject(
        new RedisConnectionError(`The connection to Redis at ${describeRedis(target)} closed.`),
      );
    };
    client.on('ready', onReady);
    client.on('error', onError);
    client.on('end', onEnd);
  });
}

/** Lets the client's socket keep the process alive (`true`) or not (`false`). */
export function setClientRef(client: Redis, ref: boolean): void {
  const stream = (client as unknown as { stream?: { ref?(): void; unref?(): void } }).stream;
  if (ref) stream?.ref?.();
  else stream?.unref?.();
}
