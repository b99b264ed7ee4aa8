/**
 * Runs a bench: picks the available backends, sets up the IO fixtures and the inline
 * reference, then measures every planned case in its own process, checking each sample's
 * results against the reference.
 */
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { errorMessage } from './case-messages.js';
import { verifyChecksums } from './checksum.js';
import { articleInputs } from './inputs.js';
import { type IoFixture, startIoFixture } from './io-fixture.js';
import { type CaseEvents, type CaseOutcome, launchNodeCase } from './launch-case.js';
import { machineFacts } from './machine.js';
import { launchPythonCase, pythonAvailability, writeInputsFile } from './peers/python.js';
import { type CaseSpec, planCases } from './plan.js';
import { type ProgressSink, silentProgress } from './progress.js';
import { computeReference } from './reference.js';
import type { RegisteredBackend, Registry } from './registry.js';
import {
  addSpeedups,
  BASELINE,
  type BenchReport,
  type CaseResult,
  type Skipped,
} from './report.js';
import { RssSampler } from './rss-sampler.js';
import { resolveSizes } from './sizes.js';
import { isIoWorkload, WORKLOADS, WorkloadKind } from './workloads.js';

/** Backend names in `--backends` that the registry does not know. */
export function unknownBackends(
  registry: Registry,
  names: readonly string[] | undefined,
): string[] {
  const known = new Set(registry.backends.map((b) => b.entry.name));
  return (names ?? []).filter((name) => !known.has(name));
}

/** The selected backends that can run here; the baseline is always added when it exists. */
async function selectBackends(
  registry: Registry,
  names: readonly string[] | undefined,
  skipped: Skipped[],
): Promise<RegisteredBackend[]> {
  const wanted = names === undefined ? undefined : new Set([...names, BASELINE]);
  const selected: RegisteredBackend[] = [];
  for (const backend of registry.backends) {
    if (wanted && !wanted.has(backend.entry.name)) continue;
    const availability = await backend.entry.available().catch((error: Error) => ({
      ok: false as const,
      reason: error.message,
    }));
    if (availability.ok) selected.push(backend);
    else skipped.push({ name: backend.entry.name, reason: availability.reason });
  }
  for (const broken of registry.broken) skipped.push({ name: broken.file, reason: broken.reason });
  return selected;
}

function failed(spec: CaseSpec, error: unknown): CaseResult {
  return { ...resultBase(spec), ok: false, error: errorMessage(error) };
}

function resultBase(spec: CaseSpec): Omit<CaseResult, 'ok'> {
  const { subject } = spec;
  return {
    id: spec.id,
    workload: spec.workload,
    subject: {
      kind: subject.kind,
      name: subject.name,
      ...('mode' in subject ? { mode: subject.mode } : {}),
    },
    label: spec.label,
    workers: spec.workers,
    items: spec.items,
    samples: spec.samples,
  };
}

function passed(spec: CaseSpec, outcome: CaseOutcome, treePeakKb: number): CaseResult {
  const { measurement } = outcome;
  const seconds = measurement.medianMs / 1000;
  return {
    ...resultBase(spec),
    ok: true,
    seconds,
    samplesSeconds: measurement.samplesMs.map((ms) => ms / 1000),
    tasksPerSecond: spec.items / seconds,
    ...(measurement.latencyMs ? { latencyMs: measurement.latencyMs } : {}),
    peakRssMb: Math.max(outcome.ownPeakRssKb, treePeakKb) / 1024,
  };
}

/** Runs every case of a bench and returns the report. */
export async function runBench(
  options: BenchOptions,
  registry: Registry,
  progress: ProgressSink = silentProgress,
): Promise<BenchReport> {
  const started = performance.now();
  const machine = machineFacts();
  const sizes = resolveSizes(options.quick, options.n, options.samples);
  const skipped: Skipped[] = [];
  const backends = await selectBackends(registry, options.backends, skipped);
  let python: string | undefined;
  if (options.python) {
    const probe = pythonAvailability();
    if (probe.ok) python = probe.version;
    else skipped.push({ name: 'python', reason: probe.reason });
  }
  const plan = planCases({
    workloads: options.workloads,
    workers: options.workers,
    sizes,
    backends,
    peers: options.peers,
    python: python !== undefined,
  });

  const mapCounts = plan
    .filter((c) => WORKLOADS[c.workload].kind === WorkloadKind.Map)
    .map((c) => c.items);
  if (mapCounts.length > 0) {
    const items = Math.max(...mapCounts).toLocaleString('en-US');
    progress.note(`reference checksums: a plain loop of factorial over ${items} items, inline`);
  }
  const reference = computeReference(mapCounts);

  let fixture: IoFixture | undefined;
  const cases: CaseResult[] = [];
  try {
    if (plan.some((c) => isIoWorkload(c.workload) || c.subject.kind === 'python')) {
      fixture = await startIoFixture();
    }
    let inputsFile: string | undefined;
    if (fixture && plan.some((c) => c.subject.kind === 'python')) {
      inputsFile = join(fixture.dir, 'inputs.txt');
      await writeInputsFile(inputsFile, articleInputs(sizes.items.cpu));
    }
    for (const [index, spec] of plan.entries()) {
      progress.caseStarted(index, plan.length, spec);
      let sampler: RssSampler | undefined;
      const events: CaseEvents = {
        onSpawn: (pid) => {
          sampler = new RssSampler(pid);
        },
        onPhase: (phase) => progress.casePhase(phase),
        onSample: (done, total) => progress.caseSample(done, total),
      };
      let result: CaseResult;
      try {
        const outcome =
          spec.subject.kind === 'python'
            ? await launchPythonCase(spec, inputsFile as string, events)
            : await launchNodeCase(spec, fixture?.env ?? {}, events);
        const treePeakKb = sampler?.stop() ?? 0;
        verifyChecksums(
          spec.id,
          reference.expected(spec.workload, spec.items),
          outcome.measurement.checksums,
        );
        result = passed(spec, outcome, treePeakKb);
      } catch (error) {
        sampler?.stop();
        result = failed(spec, error);
      }
      cases.push(result);
      progress.caseEnded(result);
    }
  } finally {
    await fixture?.close();
    progress.done();
  }
  addSpeedups(cases);
  return {
    machine: python ? { ...machine, python } : machine,
    options: {
      workloads: options.workloads,
      workers: options.workers,
      quick: options.quick,
      peers: options.peers,
      python: options.python,
    },
    sizes,
    ...(reference.loopItems > 0
      ? { reference: { items: reference.loopItems, seconds: reference.loopSeconds } }
      : {}),
    cases,
    skipped,
    durationSeconds: (performance.now() - started) / 1000,
  };
}
