#!/usr/bin/env node
/**
 * `manyhands-worker`: serves a BullMQ queue with a local task module.
 *
 *   manyhands-worker --redis redis://host:6379 --queue NAME --tasks ./dist/tasks.js [--concurrency N]
 *
 * SIGTERM/SIGINT: stop taking jobs, finish running ones (up to --grace ms), hand the rest back.
 * A second signal hands back at once. Exit codes: 0 stopped, 1 cannot serve, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { checkRedisTarget, defaultRedisTarget } from '../redis-connection.js';
import { startWorkerNode } from '../worker-node.js';

const USAGE = `Usage: manyhands-worker --queue NAME --tasks PATH [options]

  --queue NAME            BullMQ queue to serve (default: $MANYHANDS_QUEUE)
  --tasks PATH            task module whose exported functions are the tasks
  --redis URL             redis:// or rediss:// URL, with user:password@ for auth
                          (default: $MANYHANDS_REDIS_URL, else redis://127.0.0.1:6379;
                          prefer the variable: a password in argv is visible to ps)
  --concurrency N         BullMQ jobs (task batches) run at once (default 8)
  --prefix P              BullMQ key prefix (default bull)
  --lock-duration MS      BullMQ lockDuration (default 30000)
  --stalled-interval MS   BullMQ stalledInterval (default 30000)
  --max-stalled-count N   stalls a job survives before it fails (default 1)
  --grace MS              on SIGTERM, how long running jobs may finish (default 30000)
  --quiet                 log only errors
  --stop-on-stdin-close   stop (as on SIGTERM) when stdin closes: for a parent process that
                          starts nodes as children, so they never outlive it
`;

function fail(message: string, code: number): never {
  process.stderr.write(`manyhands-worker: ${message}\n`);
  process.exit(code);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  // Only a grace period and a stall budget may be zero.
  const min = name === 'grace' || name === 'max-stalled-count' ? 0 : 1;
  if (!Number.isInteger(n) || n < min)
    fail(`--${name} must be an integer >= ${min}\n\n${USAGE}`, 2);
  return n;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      redis: { type: 'string' },
      queue: { type: 'string' },
      tasks: { type: 'string' },
      concurrency: { type: 'string' },
      prefix: { type: 'string' },
      'lock-duration': { type: 'string' },
      'stalled-interval': { type: 'string' },
      'max-stalled-count': { type: 'string' },
      grace: { type: 'string' },
      quiet: { type: 'boolean' },
      'stop-on-stdin-close': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`, 2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const queue = (values.queue as string | undefined) ?? process.env.MANYHANDS_QUEUE;
const tasks = values.tasks as string | undefined;
if (!queue) fail(`--queue is required\n\n${USAGE}`, 2);
if (!tasks) fail(`--tasks is required\n\n${USAGE}`, 2);
const grace = integer('grace', values.grace as string | undefined) ?? 30_000;
const redis = (values.redis as string | undefined) ?? defaultRedisTarget();
try {
  // A malformed URL is a usage error (2), not a failure to reach Redis (1).
  checkRedisTarget('--redis', redis);
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`, 2);
}
const quiet = values.quiet === true;
// A reader that went away (a parent that died) must not crash the node mid-job.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const log = (line: string): void => {
  const stamped = `${new Date().toISOString()} ${line}\n`;
  if (line.includes('manyhands-worker ')) process.stdout.write(stamped);
  else if (!quiet) process.stdout.write(stamped);
};

let node: Awaited<ReturnType<typeof startWorkerNode>>;
try {
  node = await startWorkerNode({
    queue,
    tasks,
    redis,
    prefix: values.prefix as string | undefined,
    concurrency: integer('concurrency', values.concurrency as string | undefined),
    lockDuration: integer('lock-duration', values['lock-duration'] as string | undefined),
    stalledInterval: integer('stalled-interval', values['stalled-interval'] as string | undefined),
    maxStalledCount: integer(
      'max-stalled-count',
      values['max-stalled-count'] as string | undefined,
    ),
    log,
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error), 1);
}

let signals = 0;
const stop = (signal: string): void => {
  signals++;
  log(`${signal}: ${signals === 1 ? 'shutting down' : 'handing running jobs back now'}`);
  node.close(signals === 1 ? grace : 0).then(
    () => process.exit(0),
    (error: unknown) => fail(`shutdown failed: ${String(error)}`, 1),
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
if (values['stop-on-stdin-close']) {
  process.stdin.on('close', () => stop('stdin closed')).resume();
}
