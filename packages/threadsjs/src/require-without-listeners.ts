/**
 * Loads a CommonJS module and takes back the `process` listeners it registered while loading.
 * threads.js registers process-wide handlers as a side effect of being loaded (see the README).
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/**
 * `require(specifier)` from the module at `from` (an `import.meta.url`), then removes the
 * listeners for `events` that loading added. A module already loaded adds none, so listeners
 * registered when the caller's own code loaded it first stay where they are.
 */
export function requireWithoutListeners<T>(
  from: string,
  specifier: string,
  events: readonly string[],
): T {
  const emitter: EventEmitter = process;
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const loaded = createRequire(from)(specifier) as T;
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.off(event, listener as () => void);
    }
  }
  return loaded;
}
