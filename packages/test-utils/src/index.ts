/**
 * `@manyhands/test-utils` (private): the conformance suite every backend runs, the fixture
 * task modules, `/proc` probes for leaked threads and processes, the process backends' own
 * suite, and the `niceIncrement` suite of the backends with local workers.
 *
 * @packageDocumentation
 */

export type { ConformanceTarget, FixtureTasks } from './conformance/index.js';
export { runConformanceSuite } from './conformance/index.js';
export type { StreamCaseContext, StreamFixtureTasks } from './conformance/streams.js';
export { fixtureUrl, missingModuleUrl } from './fixture-urls.js';
export { countChildProcesses, countThreads, countZombieChildren } from './os-probes.js';
export type { PriorityTarget } from './priority-suite.js';
export { runPrioritySuite } from './priority-suite.js';
export type { ProcessBackendTarget } from './process-suite.js';
export { runProcessBackendSuite } from './process-suite.js';
