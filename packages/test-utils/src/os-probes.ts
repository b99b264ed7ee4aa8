/** Counts what a backend leaves running, straight from `/proc` (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

/** Threads of this process (worker threads show up here). */
export function countThreads(): number {
  return readdirSync('/proc/self/task').length;
}

/** Live (non-zombie) child processes of this process. */
export function countChildProcesses(): number {
  return childProcesses().filter((child) => child.state !== 'Z').length;
}

/** Zombie children of this process (exited but never reaped). */
export function countZombieChildren(): number {
  return childProcesses().filter((child) => child.state === 'Z').length;
}

function childProcesses(): { pid: number; state: string }[] {
  const children: { pid: number; state: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ... — comm may contain spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid)
        children.push({ pid: Number(entry), state: fields[0] ?? '' });
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}
