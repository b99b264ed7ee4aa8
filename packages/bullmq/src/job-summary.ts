/**
 * A line a person can read about a job, for dashboards (Bull Board, Taskforce, `redis-cli`):
 * the batch itself travels as opaque `v8.serialize` bytes, so each job also carries
 * `about: "factorial: map chunk of 7228 items"` or `"noop ×12, pid ×3: 15 calls"`.
 */
import { JobKind, type WireJob } from '@manyhands/core';

/** What a job's batch holds, in words. */
export function describeBatch(jobs: readonly WireJob[]): string {
  const calls = new Map<string, number>();
  const parts: string[] = [];
  for (const job of jobs) {
    const [, kind, task, payload] = job;
    if (kind === JobKind.Call) calls.set(task, (calls.get(task) ?? 0) + 1);
    else if (kind === JobKind.Fold) parts.push(`fold of ${payload.length} values with ${job[4]}`);
    else {
      const reduce = kind === JobKind.ChunkReduce ? `, folded with ${job[4]}` : '';
      const star = kind === JobKind.SpreadChunk ? 'starmap' : 'map';
      parts.push(`${task}: ${star} chunk of ${payload.length} items${reduce}`);
    }
  }
  if (calls.size > 0) {
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    const names = [...calls].map(([task, n]) => (n > 1 ? `${task} ×${n}` : task)).join(', ');
    parts.unshift(total > 1 ? `${names}: ${total} calls` : `${names}: 1 call`);
  }
  return parts.join('; ');
}
