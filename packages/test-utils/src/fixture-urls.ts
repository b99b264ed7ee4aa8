/** Where the built fixture task modules are, as URLs a worker can import. */

/** URL of a fixture module in `dist/fixtures/` (e.g. `fixtureUrl('tasks')`). */
export function fixtureUrl(
  name:
    | 'tasks'
    | 'throws-on-load'
    | 'hangs-on-load'
    | 'rejects-on-load'
    | 'process-tasks'
    | 'exit-marker'
    | 'stream-tasks'
    | 'lifecycle-tasks'
    | 'priority-tasks',
): URL {
  return new URL(`./fixtures/${name}.js`, import.meta.url);
}

/** URL of a module that does not exist. */
export function missingModuleUrl(): URL {
  return new URL('./fixtures/does-not-exist.js', import.meta.url);
}
