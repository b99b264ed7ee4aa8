/**
 * A deployment the way production runs one, on one machine: Redis on its own host behind a
 * delaying proxy (the latency between hosts), the caller on another, each `manyhands-worker`
 * node on its own. The test itself watches Redis through a unix socket (not namespaced), so it
 * needs no address on the lab's network.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe } from 'vitest';
import { startWorkerNodes } from '../../dist/index.js';
import { NETNS_AVAILABLE, type NetHost, NetLab } from './netns.js';
import { NODE_TASKS } from './nodes.js';
import { uniqueQueue } from './redis.js';

const SERVER = process.env.MANYHANDS_REDIS_SERVER ?? 'redis-server';
const PROXY = fileURLToPath(new URL('./delay-proxy.mjs', import.meta.url));
const CALLER = fileURLToPath(new URL('./netns-caller.mjs', import.meta.url));
const REDIS_PORT = 6379;
const PROXY_PORT = 7000;

/** Calls `onLine` with every line `child` prints (stdout and stderr), always draining both. */
export function onLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8').on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }
}

/** Resolves once `child` prints `times` lines containing `mark`; rejects if it exits first. */
function untilLine(
  child: ChildProcess,
  mark: string,
  what: string,
  ms = 20_000,
  times = 1,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let seen = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not print "${mark}" within ${ms} ms:\n${output}`));
    }, ms);
    onLines(child, (line) => {
      output += `${line}\n`;
      if (line.includes(mark) && ++seen === times) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${signal ?? code}) before "${mark}":\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${what}: ${error.message}`));
    });
  });
}

/** One JSON event the caller printed. */
export interface CallerEvent {
  readonly event: 'ready' | 'start' | 'progress' | 'round' | 'closed';
  /** `Date.now()` when it was printed. */
  readonly at: number;
  readonly [key: string]: unknown;
}

/** A round's summary, as the caller checked it. */
export interface RoundSummary extends CallerEvent {
  readonly delivered: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly wrong: number;
  readonly byPid?: Record<string, number>;
  readonly firstAt?: Record<string, number>;
  readonly stats?: { completed: number; failed: number };
  readonly error?: { name: string; code?: string; message: string };
}

/** What the caller does (see `netns-caller.mjs`). */
export interface CallerSpec {
  readonly mode: 'imap' | 'map' | 'burst';
  readonly count: number;
  readonly task?: string;
  readonly rounds?: number;
  readonly progressEvents?: number;
  readonly options?: Record<string, unknown>;
  readonly mapOptions?: Record<string, unknown>;
}

/** A caller process on the caller host. */
export interface CallerRun {
  readonly child: ChildProcess;
  readonly events: CallerEvent[];
  /** Resolves with the first event (from now on, or already seen) that `match` accepts. */
  until(match: (event: CallerEvent) => boolean, ms?: number): Promise<CallerEvent>;
  /** Resolves with round `n`'s summary. */
  round(n: number, ms?: number): Promise<RoundSummary>;
  /** Starts the next round. */
  next(): void;
}

/** A node process on its own host. */
export interface LabNode {
  readonly host: NetHost;
  readonly child: ChildProcess;
  readonly pid: number;
  /** `Date.now()` when it printed that it serves. */
  readonly servingAt: number;
}

/** Options of {@link startScaleLab}. */
export interface ScaleLabOptions {
  /** One-way delay between each host and Redis, ms (round trip: twice this). Default 0. */
  readonly delayMs?: number;
  /** Jitter either side of the delay, ms. Default 0. */
  readonly jitterMs?: number;
  /** Extra redis-server config, e.g. `['appendonly', 'yes']`. */
  readonly redisConfig?: readonly string[];
  /**
   * Redis under Sentinel instead: a primary, one replica and three sentinels (quorum 2), each on
   * its own host (no proxy: clients reach whichever server the sentinels name). `url` is then a
   * `redis+sentinel://` URL that lists the three.
   */
  readonly sentinel?: boolean;
}

/** The Sentinel part of a lab. */
export interface SentinelSetup {
  /** The sentinels' hosts, in the order the URL lists them (the primary's is `redisHost`). */
  readonly sentinelHosts: readonly NetHost[];
  readonly replicaHost: NetHost;
  /** A client of the replica (over its unix socket): after a failover, the primary. */
  replica(): Redis;
}

/** A running lab: Redis host, caller host, node hosts. */
export interface ScaleLab {
  readonly lab: NetLab;
  readonly redisHost: NetHost;
  readonly callerHost: NetHost;
  /** The queue this lab's nodes serve. */
  readonly queue: string;
  /** Redis as the hosts reach it: through the delaying proxy. */
  readonly url: string;
  /** Every line the nodes printed, prefixed with their pid. */
  readonly lines: string[];
  readonly nodes: LabNode[];
  /** Under `sentinel: true`: the sentinels' hosts and the replica. */
  readonly sentinel: SentinelSetup | undefined;
  /** A client for the test itself, over Redis's unix socket (the first primary's). */
  inspector(): Redis;
  /** Starts `count` nodes, each on a new host. */
  addNodes(count: number, args?: readonly string[]): Promise<LabNode[]>;
  /** Starts a caller on the caller host. */
  caller(spec: CallerSpec): CallerRun;
  /** Stops everything and removes the namespaces. */
  destroy(): Promise<void>;
}

/** Starts Redis (behind the delaying proxy) and a caller host in a new lab. */
export async function startScaleLab(options: ScaleLabOptions = {}): Promise<ScaleLab> {
  const lab = NetLab.create();
  try {
    return await populate(lab, options);
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}

/** Starts a redis-server on `host` (port 6379 and a unix socket named after the host). */
async function startRedisOn(
  lab: NetLab,
  host: NetHost,
  extra: readonly string[],
  readyMark = 'Ready to accept connections',
): Promise<{ child: ChildProcess; socket: string }> {
  const socket = join(lab.dir, `${host.name}.sock`);
  const config = ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', host.address];
  config.push('--unixsocket', socket, '--unixsocketperm', '700');
  config.push('--save', '', '--appendonly', 'no', '--dir', lab.dir);
  config.push('--dbfilename', `${host.name}.rdb`);
  // A private network that only the lab's hosts reach: other hosts may connect without a password.
  config.push('--protected-mode', 'no');
  for (const line of extra) {
    const [key, ...value] = line.split(' ');
    config.push(`--${key}`, ...value);
  }
  const child = host.spawn(SERVER, config, { stdio: ['ignore', 'pipe', 'pipe'] });
  await untilLine(child, readyMark, `redis-server on ${host.name}`);
  return { child, socket };
}

const SENTINEL = process.env.MANYHANDS_REDIS_SENTINEL ?? 'redis-sentinel';

function hasSentinel(): boolean {
  try {
    execFileSync(SENTINEL, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const sentinelMissing = NETNS_AVAILABLE && !hasSentinel();
if (sentinelMissing) {
  const install = 'Debian: `apt-get install redis-sentinel`, as .ci/run does';
  if (process.env.MANYHANDS_REQUIRE_NETNS === '1') {
    throw new Error(
      `The Redis failover test is required (MANYHANDS_REQUIRE_NETNS=1), but ${SENTINEL} is not installed (${install}).`,
    );
  }
  console.warn(
    `@manyhands/bullmq: ${SENTINEL} is not installed, so the Redis failover test is skipped (${install}).`,
  );
}

/** `describe`, skipped where network namespaces or redis-sentinel are missing. */
export const describeWithSentinel: ReturnType<typeof describe.skipIf> = describe.skipIf(
  !NETNS_AVAILABLE || sentinelMissing,
);
const SENTINEL_PORT = 26379;
/** The name the sentinels monitor the primary under. */
export const SENTINEL_MASTER = 'mh';
/** Sentinels in a lab, and how many must agree that the primary is down: a production setup. */
const SENTINELS = 3;
const QUORUM = 2;

async function startSentinel(
  lab: NetLab,
  primary: NetHost,
  extraConfig: readonly string[],
): Promise<{ url: string; setup: SentinelSetup }> {
  // Redis waits 5 s before a first sync by default: start it at once.
  await startRedisOn(lab, primary, [...extraConfig, 'repl-diskless-sync-delay 0']);
  const replicaHost = lab.addHost('replica');
  const replica = await startRedisOn(
    lab,
    replicaHost,
    [...extraConfig, `replicaof ${primary.address} ${REDIS_PORT}`],
    'MASTER <-> REPLICA sync: Finished with success',
  );
  const hosts = Array.from({ length: SENTINELS }, (_, i) => lab.addHost(`sentinel${i + 1}`));
  const sentinels = hosts.map((host) => {
    const conf = join(lab.dir, `${host.name}.conf`);
    writeFileSync(
      conf,
      [
        `port ${SENTINEL_PORT}`,
        `bind ${host.address}`,
        'protected-mode no',
        `dir ${lab.dir}`,
        `sentinel monitor ${SENTINEL_MASTER} ${primary.address} ${REDIS_PORT} ${QUORUM}`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 10000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
        '',
      ].join('\n'),
    );
    return host.spawn(SENTINEL, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  });
  // Ready once each has found the replica through the primary, and the other sentinels (their
  // hellos travel through the primary every 2 s): only then can two of them agree on a failover.
  await Promise.all(
    sentinels.flatMap((sentinel, i) => [
      untilLine(sentinel, '+slave', `redis-sentinel on ${hosts[i]?.name}`),
      untilLine(
        sentinel,
        '+sentinel sentinel',
        `redis-sentinel on ${hosts[i]?.name}`,
        20_000,
        SENTINELS - 1,
      ),
    ]),
  );
  const addresses = hosts.map((host) => `${host.address}:${SENTINEL_PORT}`).join(',');
  return {
    url: `redis+sentinel://${addresses}/${SENTINEL_MASTER}`,
    setup: {
      sentinelHosts: hosts,
      replicaHost,
      replica() {
        const client = new Redis({ path: replica.socket, maxRetriesPerRequest: 1 });
        lab.onDestroy(() => client.disconnect());
        return client;
      },
    },
  };
}

async function populate(lab: NetLab, options: ScaleLabOptions): Promise<ScaleLab> {
  const redisHost = lab.addHost('redis');
  const callerHost = lab.addHost('caller');
  const socket = join(lab.dir, `${redisHost.name}.sock`);
  if (options.sentinel) {
    const { url, setup } = await startSentinel(lab, redisHost, options.redisConfig ?? []);
    return assemble(lab, redisHost, callerHost, url, socket, setup);
  }
  await startRedisOn(lab, redisHost, options.redisConfig ?? []);
  const proxy = redisHost.spawn(
    process.execPath,
    [
      PROXY,
      '--listen',
      `${redisHost.address}:${PROXY_PORT}`,
      '--target',
      `127.0.0.1:${REDIS_PORT}`,
      '--delay',
      String(options.delayMs ?? 0),
      '--jitter',
      String(options.jitterMs ?? 0),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await untilLine(proxy, 'listening', 'the delaying proxy');
  const url = `redis://${redisHost.address}:${PROXY_PORT}`;
  return assemble(lab, redisHost, callerHost, url, socket, undefined);
}

function assemble(
  lab: NetLab,
  redisHost: NetHost,
  callerHost: NetHost,
  url: string,
  socket: string,
  sentinel: SentinelSetup | undefined,
): ScaleLab {
  const queue = uniqueQueue('lab');
  const lines: string[] = [];
  const nodes: LabNode[] = [];
  let hosts = 0;
  const clients: Redis[] = [];

  const addNode = async (host: NetHost, args: readonly string[]): Promise<LabNode> => {
    let servingAt = 0;
    const started = await startWorkerNodes({
      tasks: NODE_TASKS,
      queue,
      redis: url,
      launcher: host.launcher,
      args,
      log: (line) => {
        if (!servingAt && line.includes(' serving queue ')) servingAt = Date.now();
        lines.push(line);
      },
    });
    const child = started.processes[0] as ChildProcess;
    lab.track(child);
    const node = { host, child, pid: child.pid as number, servingAt };
    nodes.push(node);
    return node;
  };

  return {
    lab,
    redisHost,
    callerHost,
    queue,
    url,
    lines,
    nodes,
    sentinel,
    inspector() {
      const client = new Redis({ path: socket, maxRetriesPerRequest: 1 });
      clients.push(client);
      return client;
    },
    async addNodes(count, args = []) {
      // Hosts are made first (in order); the nodes then start together.
      const hostsMade = Array.from({ length: count }, () => lab.addHost(`node${++hosts}`));
      return Promise.all(hostsMade.map((host) => addNode(host, args)));
    },
    caller(spec) {
      const child = callerHost.spawn(
        process.execPath,
        [CALLER, JSON.stringify({ redis: url, queue, ...spec })],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const events: CallerEvent[] = [];
      const waiters = new Set<() => void>();
      let output = '';
      onLines(child, (line) => {
        output += `${line}\n`;
        if (!line.startsWith('{')) return;
        events.push(JSON.parse(line) as CallerEvent);
        for (const wake of waiters) wake();
      });
      let exited = false;
      child.once('exit', () => {
        exited = true;
        for (const wake of waiters) wake();
      });
      const until = (match: (event: CallerEvent) => boolean, ms = 60_000) =>
        new Promise<CallerEvent>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`the caller printed no such event within ${ms} ms:\n${output}`));
          }, ms);
          const check = (): void => {
            const found = events.find(match);
            if (found || exited) {
              clearTimeout(timer);
              waiters.delete(check);
              if (found) resolve(found);
              else reject(new Error(`the caller exited without such an event:\n${output}`));
            }
          };
          waiters.add(check);
          check();
        });
      return {
        child,
        events,
        until,
        round: (n, ms) =>
          until((e) => e.event === 'round' && e.round === n, ms) as Promise<RoundSummary>,
        next: () => child.stdin?.write('next\n'),
      };
    },
    async destroy() {
      for (const client of clients) client.disconnect();
      await lab.destroy();
    },
  };
}
