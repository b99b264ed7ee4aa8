/**
 * A case process: the runner forks one per case, so each case starts cold and its peak RSS is
 * its own. It builds the subject, measures it and reports over IPC, then exits.
 *
 *   node dist/case-process.js '<CaseSpec as JSON>'
 */
import { type CaseMessage, errorMessage } from './case-messages.js';
import { measure } from './measure.js';
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

async function runCase(spec: CaseSpec): Promise<void> {
  await send({ type: 'phase', phase: 'starting workers' });
  const subject = await openSubject(spec);
  try {
    await send({ type: 'phase', phase: 'warming up' });
    const measurement = await measure(
      subject,
      WORKLOADS[spec.workload],
      spec.items,
      spec.samples,
      spec.workers,
      (done) => void send({ type: 'sample', done, total: spec.samples }),
    );
    await send({
      type: 'result',
      measurement,
      ownPeakRssKb: process.resourceUsage().maxRSS,
    });
  } finally {
    await subject.close();
  }
}

if (!process.send) {
  console.error('case-process.js is started by the bench runner (it reports over IPC).');
  process.exit(2);
}
try {
  await runCase(JSON.parse(process.argv[2] ?? '') as CaseSpec);
  process.exit(0);
} catch (error) {
  await send({ type: 'error', message: errorMessage(error), stack: (error as Error)?.stack });
  process.exit(1);
}
