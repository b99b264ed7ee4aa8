/**
 * Counts this process's open TCP connections to one port, from `/proc` (Linux): the BullMQ
 * backend's "live workers" on the caller's side are its Redis connections, so this is the probe
 * that shows `close()`/`terminate()` leave nothing open.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function socketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match) inodes.add(match[1] as string);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/** Open connections of this process whose remote port is `port`. */
export function countConnectionsTo(port: number): number {
  const mine = socketInodes();
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const remote = fields[2];
      const state = fields[3];
      const inode = fields[9];
      if (!remote || !inode || !mine.has(inode)) continue;
      // 01 = ESTABLISHED
      if (state === '01' && Number.parseInt(remote.split(':')[1] as string, 16) === port) count++;
    }
  }
  return count;
}
