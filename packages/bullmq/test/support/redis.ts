/**
 * Redis for the tests. `MANYHANDS_REDIS_URL` names a server: `.ci/run` starts one, and without
 * it the global setup (`global-redis.ts`) starts a private `redis-server` on a free loopback
 * port when one is installed. With neither, the tests that need Redis are skipped with a note,
 * unless the run requires Redis (`MANYHANDS_REQUIRE_REDIS=1`, as `.ci/run` sets, or `CI`): then
 * they fail.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe } from 'vitest';

/** The test Redis, when there is one. */
export const REDIS_URL = process.env.MANYHANDS_REDIS_URL;

const required = process.env.MANYHANDS_REQUIRE_REDIS === '1' || Boolean(process.env.CI);
if (!REDIS_URL) {
  if (required) {
    throw new Error(
      'No Redis for the bullmq tests, but this run requires one (MANYHANDS_REQUIRE_REDIS or CI ' +
        'is set): install redis-server (the tests then start a private one), or export ' +
        'MANYHANDS_REDIS_URL, as .ci/run does.',
    );
  }
  console.warn(
    '@manyhands/bullmq: no redis-server is installed and MANYHANDS_REDIS_URL is not set, so ' +
      'the tests that need Redis are skipped. Install redis-server (Debian: `apt-get install ' +
      'redis-server`) and the tests start a private one on a free loopback port, or export ' +
      'MANYHANDS_REDIS_URL=redis://127.0.0.1:PORT to use a running server.',
  );
}

/** `describe`, skipped when there is no test Redis. */
export const describeWithRedis: ReturnType<typeof describe.skipIf> = describe.skipIf(!REDIS_URL);

/** A queue name no other test (or test run) uses. */
export function uniqueQueue(name: string): string {
  return `mh-test-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A client of the test Redis, for inspecting keys. */
export function inspector(url = REDIS_URL as string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server this test starts, stops and restarts (for outage and auth tests). */
export interface OwnRedis {
  readonly port: number;
  /** URL without credentials. */
  readonly url: string;
  /** Kills the server (SIGKILL: no chance to save anything). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

const SERVER = process.env.MANYHANDS_REDIS_SERVER ?? 'redis-server';

/** Starts a private `redis-server` on a free port (extra config lines, e.g. `requirepass x`). */
export async function startOwnRedis(config: readonly string[] = []): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    for (const line of config) {
      const [key, ...value] = line.split(' ');
      args.push(`--${key}`, ...value);
    }
    const proc = spawn(SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout?.setEncoding('utf8').on('data', (text: string) => {
      output += text;
    });
    proc.stderr?.resume();
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (output.includes('Ready to accept connections')) {
          clearInterval(check);
          resolve();
        }
      }, 20);
      proc.once('error', (error) => {
        clearInterval(check);
        reject(new Error(`cannot start ${SERVER}: ${error.message}`));
      });
      proc.once('exit', (code) => {
        clearInterval(check);
        reject(new Error(`${SERVER} exited with ${code}:\n${output}`));
      });
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await gone;
    },
    start,
  };
}
