/**
 * Separate hosts on one machine: Linux network namespaces joined by veth pairs on a private
 * bridge (the bridge itself lives in a namespace of its own, so nothing is added to the host's
 * network). Every name carries this process's pid and a random tag, so parallel runs never
 * collide, and a run that crashed is swept by the next one. Needs root; without it the tests
 * that use namespaces are skipped with a note, or fail when `MANYHANDS_REQUIRE_NETNS=1`.
 */
import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

/** Namespace names start with this, then `-<pid>-<tag>-<host>`. */
const PREFIX = 'mhn';
/** The private subnet inside a lab (each lab's bridge is isolated, so all labs may share it). */
const SUBNET = '10.77.0';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why namespaces cannot be made here, or `undefined` when they can. */
function unavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const probe = `${PREFIX}-${process.pid}-probe`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return undefined;
  } catch (error) {
    return `\`ip netns add\` failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

const reason = unavailableReason();
if (reason) {
  if (process.env.MANYHANDS_REQUIRE_NETNS === '1') {
    throw new Error(
      `The network-namespace tests are required (MANYHANDS_REQUIRE_NETNS=1), but ${reason}. ` +
        'Run them as root on Linux with iproute2 installed, as .ci/run does.',
    );
  }
  console.warn(
    `@manyhands/bullmq: ${reason}, so the tests that put Redis, the caller and the nodes on ` +
      'separate hosts (network namespaces) are skipped. Run as root on Linux to include them.',
  );
}

/** Whether this process can make network namespaces. */
export const NETNS_AVAILABLE = reason === undefined;

/** `describe`, skipped where network namespaces cannot be made. */
export const describeWithNetns: ReturnType<typeof describe.skipIf> = describe.skipIf(
  !NETNS_AVAILABLE,
);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills every process inside `ns`, then deletes it. Never throws. */
function removeNamespace(ns: string): void {
  try {
    for (const pid of ip('netns', 'pids', ns).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  } catch {
    // no such namespace
  }
  try {
    ip('netns', 'del', ns);
  } catch {
    // already gone
  }
}

/** Deletes the namespaces of runs whose process is gone (a crashed or killed test run). */
function sweepStale(): void {
  let list: string;
  try {
    list = ip('netns', 'list');
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name);
    if (match && !alive(Number(match[1]))) removeNamespace(name);
  }
}

/** One host of a lab: a namespace with one interface on the lab's bridge. */
export interface NetHost {
  /** The name the test gave it. */
  readonly name: string;
  /** The namespace's name. */
  readonly ns: string;
  /** Its address on the bridge. */
  readonly address: string;
  /** The command prefix that runs a program on this host (`ip netns exec <ns>`). */
  readonly launcher: readonly string[];
  /** Runs a program on this host; the lab kills it when it is destroyed. */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Takes the host's link down: a network partition (its processes keep running). */
  linkDown(): void;
  /** Brings the link back up. */
  linkUp(): void;
}

/** A private network of hosts, torn down by {@link NetLab.destroy} (also at process exit). */
export class NetLab {
  /** This lab's tag. */
  readonly id: string;
  /** A private temporary folder (unix sockets, logs), removed with the lab. */
  readonly dir: string;
  private readonly bridge: string;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly cleanups: (() => void)[] = [];
  private destroyed = false;
  private readonly onExit = (): void => this.destroySync();

  private constructor() {
    this.id = `${process.pid}-${randomBytes(3).toString('hex')}`;
    this.dir = mkdtempSync(join(tmpdir(), `${PREFIX}-${this.id}-`));
    this.bridge = this.namespace('br');
    ip('-n', this.bridge, 'link', 'set', 'lo', 'up');
    ip('-n', this.bridge, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', this.bridge, 'link', 'set', 'br0', 'up');
    process.once('exit', this.onExit);
  }

  /** Creates a lab (sweeping those of crashed runs first). */
  static create(): NetLab {
    if (!NETNS_AVAILABLE) throw new Error(`network namespaces are unavailable: ${reason}`);
    sweepStale();
    return new NetLab();
  }

  private namespace(name: string): string {
    const ns = `${PREFIX}-${this.id}-${name}`;
    ip('netns', 'add', ns);
    this.namespaces.push(ns);
    return ns;
  }

  /** Adds a host with the next free address. */
  addHost(name: string): NetHost {
    if (this.destroyed) throw new Error('this lab was destroyed');
    const index = this.namespaces.length; // 1 for the first host (0 is the bridge)
    if (index > 250) throw new RangeError('a lab holds at most 250 hosts');
    const ns = this.namespace(name);
    const port = `p${index}`;
    const address = `${SUBNET}.${index}`;
    ip('-n', this.bridge, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('-n', this.bridge, 'link', 'set', port, 'master', 'br0');
    ip('-n', this.bridge, 'link', 'set', port, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    const launcher = ['ip', 'netns', 'exec', ns] as const;
    return {
      name,
      ns,
      address,
      launcher,
      spawn: (command, args, options = {}) => {
        const child = spawn('ip', [...launcher.slice(1), command, ...args], options);
        this.track(child);
        return child;
      },
      linkDown: () => ip('-n', ns, 'link', 'set', 'eth0', 'down'),
      linkUp: () => ip('-n', ns, 'link', 'set', 'eth0', 'up'),
    };
  }

  /** Kills `child` with the lab. */
  track(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  /** Runs `cleanup` when the lab is destroyed (before its processes are killed). */
  onDestroy(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // best effort
      }
    }
    process.off('exit', this.onExit);
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of [...this.namespaces].reverse()) removeNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Kills everything the lab started, deletes its namespaces and folder. */
  async destroy(): Promise<void> {
    const children = [...this.children];
    this.destroySync();
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) resolve();
            else child.once('exit', () => resolve());
          }),
      ),
    );
  }

  /** Whether namespace `ns` still exists (for the teardown test). */
  static exists(ns: string): boolean {
    try {
      return ip('netns', 'list')
        .split('\n')
        .some((line) => line.split(' ')[0] === ns);
    } catch {
      return false;
    }
  }
}
