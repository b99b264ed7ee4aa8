/**
 * A case process: the runner forks one per case, so each case starts cold and its peak RSS is
 * its own. It builds the subject, warms it up and says `ready`; then it takes one sample per
 * `sample` command (the runner interleaves the cases of a workload), and on `close` closes the
 * subject, reports its peak RSS and exits.
 *
 *   node dist/case-process.js '<CaseSpec as JSON>'
 */
import { type CaseCommand, type CaseMessage, errorMessage } from './case-messages.js';
import { type CaseSampler, prepareCase } from './measure.js';
import { type PeerEntry, peerSubject } from './peers/peer.js';
import type { CaseSpec } from './plan.js';
import { loadBackendModule } from './registry.js';
import { type BenchTasks, executorSubject, type Subject } from './subject.js';
import { WORKLOADS } from './workloads.js';

const TASKS = new URL('./tasks.js', import.meta.url);

function send(message: CaseMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

async function openSubject(spec: CaseSpec): Promise<Subject> {
  const { subject } = spec;
  if (subject.kind === 'backend') {
    const entry = await loadBackendModule(subject.moduleUrl);
    return executorSubject(await entry.create<BenchTasks>(TASKS, spec.workers));
  }
  if (subject.kind === 'peer') {
    const { peer } = (await import(subject.moduleUrl)) as { peer: PeerEntry };
    return peerSubject(await peer.create(spec.workers), subject.mode);
  }
  throw new Error(`A case process cannot run a ${subject.kind} case.`);
}

async function fail(error: unknown): Promise<never> {
  await send({ type: 'error', message: errorMessage(error), stack: (error as Error)?.stack });
  process.exit(1);
}

async function serve(subject: Subject, sampler: CaseSampler): Promise<void> {
  // Commands come one at a time (the runner awaits each answer); chain them all the same.
  let queue = Promise.resolve();
  process.on('message', (raw) => {
    const command = raw as CaseCommand;
    queue = queue.then(async () => {
      try {
        if (command.type === 'sample') {
          await send({ type: 'sampled', ...(await sampler.sample()) });
          return;
        }
        await subject.close();
        await send({
          type: 'closed',
          ownPeakRssKb: process.resourceUsage().maxRSS,
          latencyMs: sampler.latency(),
        });
        process.exit(0);
      } catch (error) {
        await subject.close().catch(() => {});
        await fail(error);
      }
    });
  });
}

if (!process.send) {
  console.error('case-process.js is started by the bench runner (it reports over IPC).');
  process.exit(2);
}
// The runner is gone (killed, crashed): nothing will ask for samples or close.
process.on('disconnect', () => process.exit(1));
try {
  const spec = JSON.parse(process.argv[2] ?? '') as CaseSpec;
  await send({ type: 'phase', phase: 'starting workers' });
  const subject = await openSubject(spec);
  await send({ type: 'phase', phase: 'warming up' });
  const sampler = await prepareCase(subject, WORKLOADS[spec.workload], spec.items, spec.workers);
  await serve(subject, sampler);
  await send({ type: 'ready' });
} catch (error) {
  await fail(error);
}
