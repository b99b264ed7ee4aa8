/**
 * The lab itself: hosts in their own network namespaces reach each other only over the lab's
 * bridge, a partition cuts a host off without killing it, and teardown leaves nothing behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { describeWithNetns, NetLab } from './support/netns.js';

const labs: NetLab[] = [];
afterEach(async () => {
  for (const lab of labs.splice(0)) await lab.destroy();
});

/** Whether `from` can open a TCP connection to `address:port`. */
function reaches(ns: string, address: string, port: number): boolean {
  const script = `const s=require('net').connect(${port},'${address}');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(2),1500)`;
  try {
    execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describeWithNetns('bullmq: the network-namespace lab', () => {
  it('hosts talk over the private bridge; a link taken down cuts one off; teardown removes every namespace', async () => {
    const lab = NetLab.create();
    labs.push(lab);
    const a = lab.addHost('a');
    const b = lab.addHost('b');
    const server = a.spawn(
      process.execPath,
      [
        '-e',
        `require('net').createServer(s=>s.end()).listen(7001,'${a.address}',()=>console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));
    expect(reaches(b.ns, a.address, 7001)).toBe(true);
    b.linkDown();
    expect(reaches(b.ns, a.address, 7001)).toBe(false);
    b.linkUp();
    expect(reaches(b.ns, a.address, 7001)).toBe(true);
    // Only the lab's hosts have these addresses: this process (outside every namespace) has none.
    const own = execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' });
    expect(own).not.toContain(`${a.address}/`);
    const names = [a.ns, b.ns];
    await lab.destroy();
    expect(server.exitCode !== null || server.signalCode !== null).toBe(true);
    for (const ns of names) expect(NetLab.exists(ns)).toBe(false);
  }, 30_000);

  it('a run that crashed leaves namespaces the next run sweeps; a live run keeps its own', async () => {
    // A pid that is gone: a child that already exited.
    const dead = spawnSync('true').pid as number;
    const stale = `mhn-${dead}-dead00-node1`;
    execFileSync('ip', ['netns', 'add', stale]);
    const live = NetLab.create();
    labs.push(live);
    const host = live.addHost('a');
    expect(NetLab.exists(stale)).toBe(false);
    // Another lab of this (live) process leaves the first one alone.
    const second = NetLab.create();
    labs.push(second);
    expect(NetLab.exists(host.ns)).toBe(true);
    expect(second.id).not.toBe(live.id);
  }, 30_000);
});
