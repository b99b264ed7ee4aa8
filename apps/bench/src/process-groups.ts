/**
 * Case processes run in their own process group (spawned `detached`), so a case and every
 * process it started can be killed together: when it ends, when it times out, and when the
 * bench itself is interrupted.
 */

const running = new Set<number>();

/** Kills a group leader's whole group, even members orphaned when the leader exited. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // nothing left in the group
  }
}

function onInterrupt(signal: NodeJS.Signals): void {
  for (const pid of running) killGroup(pid);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** Tracks a group leader so an interrupt of the bench kills its group too. */
export function trackGroup(pid: number): void {
  running.add(pid);
  if (running.size === 1) {
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onInterrupt);
  }
}

/** Kills what is left of a finished leader's group and stops tracking it. */
export function endGroup(pid: number): void {
  killGroup(pid);
  running.delete(pid);
  if (running.size === 0) {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
