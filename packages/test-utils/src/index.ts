/**
 * `@manyhands/test-utils` (private): the conformance suite every backend runs, the fixture
 * task modules, `/proc` probes for leaked threads and processes, and the process backends'
 * own suite.
 *
 * @packageDocumentation
 */

export type { ConformanceTarget, FixtureTasks } from './conformance/index.js';
export { runConformanceSuite } from './conformance/index.js';
export type { StreamCaseContext, StreamFixtureTasks } from './conformance/streams.js';
export { fixtureUrl, missingModuleUrl } from './fixture-urls.js';
export { countChildProcesses, countThreads, countZombieChildren } from './os-probes.js';
export type { ProcessBackendTarget } from './process-suite.js';
export { runProcessBackendSuite } from './process-suite.js';
