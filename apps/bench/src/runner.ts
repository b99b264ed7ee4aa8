/**
 * Runs a bench: picks the available backends, sets up the IO fixtures and the inline
 * reference, then measures one workload at a time: every case in its own process, sampled
 * interleaved (see `sampling.ts`), each sample's results checked against the reference.
 */
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { errorMessage } from './case-messages.js';
import { ChecksumMismatchError } from './checksum.js';
import { ForeignCpuMeter } from './cpu-time.js';
import { articleInputs } from './inputs.js';
import { relativeSpread, type Summary, summarize } from './interval.js';
import { type IoFixture, startIoFixture } from './io-fixture.js';
import { type CaseEvents, type CaseSession, startNodeCase } from './launch-case.js';
import { machineFacts } from './machine.js';
import { assessNoise } from './noise.js';
import { pythonAvailability, startPythonCase, writeInputsFile } from './peers/python.js';
import { type CaseSpec, planCases } from './plan.js';
import { type ProgressSink, silentProgress } from './progress.js';
import { computeReference, type Reference } from './reference.js';
import type { RegisteredBackend, Registry } from './registry.js';
import {
  addSpeedups,
  BASELINE,
  type BenchReport,
  type CaseResult,
  type Skipped,
  type WorkloadRun,
} from './report.js';
import { RssSampler } from './rss-sampler.js';
import { type CaseSamples, type SamplingCase, sampleInterleaved } from './sampling.js';
import { resolveSizes } from './sizes.js';
import { casesNeedingSamples } from './verdict.js';
import { isIoWorkload, WORKLOADS, type WorkloadId, WorkloadKind } from './workloads.js';

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
  return { ...resultBase(spec, 0), ok: false, error: errorMessage(error) };
}

function resultBase(spec: CaseSpec, samples: number): Omit<CaseResult, 'ok'> {
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
    samples,
  };
}

/** A passing case from its samples (speedups are added once every case of the run is in). */
function passed(
  spec: CaseSpec,
  taken: CaseSamples,
  extra: { latencyMs?: CaseResult['latencyMs']; peakRssMb?: number } = {},
): CaseResult {
  const interval = summarize(taken.values);
  return {
    ...resultBase(spec, taken.values.length),
    ok: true,
    seconds: interval.median,
    samplesSeconds: taken.values,
    rounds: taken.rounds,
    ...(taken.warmup === undefined ? {} : { warmupSeconds: taken.warmup }),
    interval,
    tasksPerSecond: spec.items / interval.median,
    ...(extra.latencyMs ? { latencyMs: extra.latencyMs } : {}),
    ...(extra.peakRssMb === undefined ? {} : { peakRssMb: extra.peakRssMb }),
  };
}

/** A started case of the workload being measured. */
interface Running {
  readonly spec: CaseSpec;
  readonly session: CaseSession;
  readonly rss: RssSampler | undefined;
}

/** What one workload's cases need from the rest of the run. */
interface WorkloadContext {
  readonly fixture: IoFixture | undefined;
  readonly inputsFile: string | undefined;
  readonly reference: Reference;
  readonly progress: ProgressSink;
  readonly budgetSeconds: number;
  readonly cores: number;
}

function startCase(spec: CaseSpec, context: WorkloadContext): Promise<Running> {
  let rss: RssSampler | undefined;
  const events: CaseEvents = {
    onSpawn: (pid) => {
      rss = new RssSampler(pid);
    },
    onPhase: (phase) => context.progress.casePhase(phase),
  };
  const started =
    spec.subject.kind === 'python'
      ? startPythonCase(spec, context.inputsFile as string, events)
      : startNodeCase(spec, context.fixture?.env ?? {}, events);
  return started.then((session) => ({ spec, session, rss }));
}

/**
 * Measures one workload: starts its cases (each in its own process, kept open), samples them
 * interleaved within the budget, closes them; returns their results and how the sampling went.
 */
async function runWorkload(
  workload: WorkloadId,
  specs: readonly CaseSpec[],
  context: WorkloadContext,
): Promise<{ results: CaseResult[]; run: WorkloadRun }> {
  const { progress, reference } = context;
  const t0 = performance.now();
  const running: Running[] = [];
  const results = new Map<string, CaseResult>();
  try {
    // Start-up is not measured: start as many cases at once as there are cores.
    let next = 0;
    const starter = async (): Promise<void> => {
      for (let index = next++; index < specs.length; index = next++) {
        const spec = specs[index] as CaseSpec;
        progress.caseStarted(index, specs.length, spec);
        try {
          running.push(await startCase(spec, context));
        } catch (error) {
          results.set(spec.id, failed(spec, error));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, context.cores) }, starter));
    // Sample in plan order, whatever order the cases started in.
    running.sort((a, b) => specs.indexOf(a.spec) - specs.indexOf(b.spec));
    const meter = new ForeignCpuMeter();
    const cases: SamplingCase[] = running.map(({ spec, session, rss }) => ({
      id: spec.id,
      maxSamples: spec.maxSamples,
      async sample(round) {
        progress.sampleStarted(spec, round);
        const sample = () => session.sample();
        const taken = await meter.around(session.pid, () => (rss ? rss.around(sample) : sample()));
        const expected = reference.expected(spec.workload, spec.items);
        if (taken.checksum !== expected) {
          throw new ChecksumMismatchError(spec.id, expected, taken.checksum, round);
        }
        progress.sampleEnded(spec, taken.ms / 1000);
        return taken.ms / 1000;
      },
    }));
    const bySpec = new Map(running.map((r) => [r.spec.id, r.spec]));
    const provisional = (samples: ReadonlyMap<string, CaseSamples>): CaseResult[] => {
      const list = [...samples].map(([id, taken]) =>
        taken.error === undefined && taken.values.length > 0
          ? passed(bySpec.get(id) as CaseSpec, taken)
          : failed(bySpec.get(id) as CaseSpec, taken.error ?? 'no samples'),
      );
      addSpeedups(list);
      return list;
    };
    const outcome = await sampleInterleaved(
      cases,
      {
        minRounds: Math.max(0, ...running.map((r) => r.spec.samples)),
        maxRounds: Math.max(0, ...running.map((r) => r.spec.maxSamples)),
        budgetMs: context.budgetSeconds * 1000,
      },
      {
        now: () => performance.now() - t0,
        more: (samples) => casesNeedingSamples(provisional(samples), workload),
        onRound: (round, members) => progress.roundStarted(workload, round, members.length),
      },
    );
    for (const { spec, session, rss } of running) {
      const taken = outcome.samples.get(spec.id) as CaseSamples;
      try {
        if (taken.error !== undefined) throw taken.error;
        const closed = await session.close();
        const treePeakKb = rss?.peakKb() ?? 0;
        results.set(
          spec.id,
          passed(spec, taken, {
            ...(closed.latencyMs ? { latencyMs: closed.latencyMs } : {}),
            peakRssMb: Math.max(closed.ownPeakRssKb, treePeakKb) / 1024,
          }),
        );
      } catch (error) {
        results.set(spec.id, failed(spec, error));
      }
    }
    const ordered = specs.map((spec) => results.get(spec.id) as CaseResult);
    addSpeedups(ordered);
    for (const result of ordered) progress.caseEnded(result);
    const spreads = ordered
      .filter((c) => c.ok && c.subject.kind === 'backend' && c.interval)
      .map((c) => relativeSpread(c.interval as Summary));
    return {
      results: ordered,
      run: {
        noise: assessNoise({ cores: context.cores, foreignCores: meter.foreignCores(), spreads }),
        rounds: outcome.rounds,
        stoppedBy: outcome.stoppedBy,
        budgetSeconds: context.budgetSeconds,
        seconds: (performance.now() - t0) / 1000,
      },
    };
  } finally {
    for (const { session } of running) {
      session.kill();
    }
  }
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
  const workloads: Partial<Record<WorkloadId, WorkloadRun>> = {};
  try {
    if (plan.some((c) => isIoWorkload(c.workload) || c.subject.kind === 'python')) {
      fixture = await startIoFixture();
    }
    let inputsFile: string | undefined;
    if (fixture && plan.some((c) => c.subject.kind === 'python')) {
      inputsFile = join(fixture.dir, 'inputs.txt');
      await writeInputsFile(inputsFile, articleInputs(sizes.items.cpu));
    }
    const context = {
      fixture,
      inputsFile,
      reference,
      progress,
      cores: machine.cores,
    };
    for (const workload of options.workloads) {
      const specs = plan.filter((c) => c.workload === workload);
      if (specs.length === 0) continue;
      const budgetSeconds = sizes.budgetPerCase[workload] * specs.length;
      progress.workloadStarted(workload, specs.length, budgetSeconds);
      const measured = await runWorkload(workload, specs, { ...context, budgetSeconds });
      cases.push(...measured.results);
      workloads[workload] = measured.run;
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
    workloads,
    durationSeconds: (performance.now() - started) / 1000,
  };
}
