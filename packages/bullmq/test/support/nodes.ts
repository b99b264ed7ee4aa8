/** Worker nodes for one test: real `manyhands-worker` processes serving a fresh queue. */
import type { ChildProcess } from 'node:child_process';
import { startWorkerNodes } from '../../dist/index.js';
import { REDIS_URL, uniqueQueue } from './redis.js';

/** The BullMQ backend's own fixture task module. */
export const NODE_TASKS = new URL('../fixtures/node-tasks.mjs', import.meta.url);
/** Its type, for typed executors. */
export type NodeTasks = typeof import('../fixtures/node-tasks.mjs');

/** Short stall detection, so a killed node's jobs come back within a couple of seconds. */
export const FAST_STALLS = ['--lock-duration', '1000', '--stalled-interval', '500'];

/** Nodes started for a test, with everything they printed. */
export interface TestNodes {
  readonly queue: string;
  readonly redis: string;
  readonly lines: string[];
  readonly processes: ChildProcess[];
  /** Starts more nodes on the same queue. */
  add(count?: number, args?: readonly string[]): Promise<ChildProcess[]>;
  /** Stops every node still running (SIGKILL: tests that stop one politely do it themselves). */
  kill(): Promise<void>;
}

/** Starts `count` nodes serving a new queue with the node fixture tasks. */
export async function startTestNodes(
  count: number,
  args: readonly string[] = [],
  redis = REDIS_URL as string,
  tasks: URL = NODE_TASKS,
): Promise<TestNodes> {
  const queue = uniqueQueue('nodes');
  const lines: string[] = [];
  const processes: ChildProcess[] = [];
  const add = async (n = 1, more: readonly string[] = args): Promise<ChildProcess[]> => {
    const started = await startWorkerNodes({
      tasks,
      queue,
      redis,
      count: n,
      args: more,
      log: (line) => lines.push(line),
    });
    processes.push(...started.processes);
    return [...started.processes];
  };
  await add(count);
  return {
    queue,
    redis,
    lines,
    processes,
    add,
    async kill() {
      await Promise.all(
        processes.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) resolve();
              else {
                child.once('exit', () => resolve());
                child.kill('SIGKILL');
              }
            }),
        ),
      );
    },
  };
}

/** Resolves with the exit code (or signal) of a child process. */
export function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
}

/** Polls `check` every 20 ms until it returns a value (not undefined) or `ms` pass. */
export async function poll<T>(check: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
