/**
 * Vitest global setup: gives the bullmq tests a Redis with no setup. When
 * `MANYHANDS_REDIS_URL` names none and `redis-server` is installed, starts a private one on a
 * free loopback port (nothing saved to disk) for the whole run and stops it afterwards; the test
 * files, forked after this runs, find it in `MANYHANDS_REDIS_URL`. Without `redis-server`,
 * `support/redis.ts` skips the tests with a note, or fails them when the run requires Redis.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';

const SERVER = process.env.MANYHANDS_REDIS_SERVER ?? 'redis-server';

/** Whether `redis-server` (or `$MANYHANDS_REDIS_SERVER`) can be run. */
function hasRedisServer(): boolean {
  try {
    execFileSync(SERVER, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`${SERVER} exited with code ${code} before it was ready:\n${output}`));
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', reject);
    child.once('exit', onExit);
  });
}

/** Starts the private Redis when needed; returns the teardown that stops it. */
export async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.MANYHANDS_REDIS_URL || !hasRedisServer()) return undefined;
  const port = await freePort();
  const child = await startRedis(port);
  process.env.MANYHANDS_REDIS_URL = `redis://127.0.0.1:${port}`;
  return async () => {
    delete process.env.MANYHANDS_REDIS_URL;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  };
}
