/**
 * The conformance suite: one spec every backend runs against itself with real workers, one file
 * per topic, composed here and gated by the target's capability flags. A backend's test file is
 * one call: `runConformanceSuite({ name, create, ... })`.
 */

import type { Executor } from '@manyhands/core';
import { afterEach } from 'vitest';
import { fixtureUrl } from '../fixture-urls.js';
import { cancellationCases } from './cancellation.js';
import { type ConformanceTarget, type FixtureTasks, type SuiteContext, TASKS } from './context.js';
import { crashCases } from './crashes.js';
import { errorCases } from './errors.js';
import { hardeningCases } from './hardening.js';
import { optionsAndLifecycleCases } from './lifecycle.js';
import { runLoadCases } from './load.js';
import { mapCases } from './map.js';
import { resultCases } from './results.js';
import { runStartCases } from './start.js';
import { runStreamCases, type StreamFixtureTasks } from './streams.js';
import { workerLifeCases } from './worker-life.js';

export type { ConformanceTarget, FixtureTasks } from './context.js';

/** Runs the whole conformance suite against one backend. */
export function runConformanceSuite(target: ConformanceTarget): void {
  const workers = target.workers ?? 2;
  /** The executor starts, interrupts and replaces its workers itself. */
  const ownsWorkers = target.isolated && !target.remoteWorkers;
  const open: Executor<unknown>[] = [];
  const make = <M = FixtureTasks>(
    options: Record<string, unknown> = {},
    module: URL | string = TASKS,
  ) => {
    const executor = target.create<M>(module, { workers, ...options });
    open.push(executor as Executor<unknown>);
    return executor;
  };

  const context: SuiteContext = { target, workers, ownsWorkers, make };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.terminate()));
  });

  runLoadCases({ name: target.name, make: (options) => make(options), ownsWorkers });
  if (ownsWorkers) {
    runStartCases({
      name: target.name,
      make: (options, module) => make(options, module),
      liveWorkers: () => target.liveWorkers(),
    });
  }

  runStreamCases({
    name: target.name,
    make: (options) => make<StreamFixtureTasks>(options, fixtureUrl('stream-tasks')),
    ownsWorkers,
    remoteWorkers: target.remoteWorkers === true,
  });

  resultCases(context);
  mapCases(context);
  errorCases(context);
  cancellationCases(context);
  if (ownsWorkers) crashCases(context);
  optionsAndLifecycleCases(context);
  hardeningCases(target);
  workerLifeCases(target);
}
