/**
 * `@manyhands/test-utils` (private): the conformance suite every backend runs, the fixture
 * task modules, and `/proc` probes for leaked threads and processes.
 *
 * @packageDocumentation
 */

export type { ConformanceTarget, FixtureTasks } from './conformance.js';
export { runConformanceSuite } from './conformance.js';
export { fixtureUrl, missingModuleUrl } from './fixture-urls.js';
export { countChildProcesses, countThreads, countZombieChildren } from './os-probes.js';
