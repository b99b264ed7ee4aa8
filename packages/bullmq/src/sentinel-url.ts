/**
 * Redis under Sentinel, named by one string: `redis+sentinel://[user:password@]host:port[,host:port…]/master[?db=0&sentinelPassword=…]`
 * (`rediss+sentinel://` for TLS to Redis and the sentinels). One string works everywhere a URL
 * does: the executor's `redis` option, `$MANYHANDS_REDIS_URL`, `manyhands-worker --redis`.
 * ioredis asks the sentinels where the primary is, and again after a failover.
 */
import type { RedisOptions } from 'ioredis';

const SCHEME = /^(rediss?)\+sentinel:\/\//i;

/** Whether `url` names Redis through Sentinel. */
export function isSentinelUrl(url: string): boolean {
  return SCHEME.test(url);
}

/**
 * The ioredis options for a `redis+sentinel://` URL. Throws a `TypeError` that says what is
 * wrong: no sentinel address, a bad port, no master name.
 *
 * @example
 * ```ts
 * sentinelOptions('redis+sentinel://:secret@10.0.0.5:26379,10.0.0.6:26379/mymaster');
 * // { sentinels: [{ host: '10.0.0.5', port: 26379 }, …], name: 'mymaster', password: 'secret' }
 * ```
 */
export function sentinelOptions(url: string): RedisOptions {
  const scheme = SCHEME.exec(url);
  if (!scheme) throw new TypeError(`Not a redis+sentinel:// URL: "${url}".`);
  const rest = url.slice(scheme[0].length);
  const at = rest.lastIndexOf('@', rest.indexOf('/') === -1 ? rest.length : rest.indexOf('/'));
  const auth = at >= 0 ? rest.slice(0, at) : '';
  const afterAuth = at >= 0 ? rest.slice(at + 1) : rest;
  const slash = afterAuth.indexOf('/');
  const hosts = slash >= 0 ? afterAuth.slice(0, slash) : afterAuth;
  // Hosts are parsed here (URL cannot hold a list); the rest by URL, for its decoding.
  const tail = new URL(`http://x${slash >= 0 ? afterAuth.slice(slash) : '/'}`);
  const name = decodeURIComponent(tail.pathname.slice(1));
  const sentinels = hosts
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.lastIndexOf(':');
      const host = (colon > 0 ? entry.slice(0, colon) : entry).replace(/^\[|\]$/g, '');
      const port = colon > 0 ? Number(entry.slice(colon + 1)) : 26379;
      if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new TypeError(`Bad sentinel address "${entry}" in a redis+sentinel:// URL.`);
      }
      return { host, port };
    });
  if (sentinels.length === 0) {
    throw new TypeError('A redis+sentinel:// URL needs at least one sentinel host:port.');
  }
  if (!name || name.includes('/')) {
    throw new TypeError(
      'A redis+sentinel:// URL needs the master name as its path: redis+sentinel://host:26379/mymaster',
    );
  }
  const options: RedisOptions = { sentinels, name };
  const colon = auth.indexOf(':');
  const username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth);
  const password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) : '';
  if (username) options.username = username;
  if (password) options.password = password;
  const db = tail.searchParams.get('db');
  if (db !== null) {
    const n = Number(db);
    if (!Number.isInteger(n) || n < 0)
      throw new TypeError(`Bad db "${db}" in a redis+sentinel:// URL.`);
    options.db = n;
  }
  const sentinelPassword = tail.searchParams.get('sentinelPassword');
  if (sentinelPassword) options.sentinelPassword = sentinelPassword;
  const sentinelUsername = tail.searchParams.get('sentinelUsername');
  if (sentinelUsername) options.sentinelUsername = sentinelUsername;
  if (scheme[1]?.toLowerCase() === 'rediss') {
    options.tls = {};
    options.enableTLSForSentinelMode = true;
  }
  return options;
}
