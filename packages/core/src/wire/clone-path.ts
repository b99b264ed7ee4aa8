/**
 * Finds where in a value structured clone fails, so a `NotCloneableError` can say
 * `args[0].onDone` rather than just "could not be cloned". Runs only after a clone has failed.
 *
 * The value is the caller's (or a task's) and may be hostile: getters that throw, Proxies whose
 * traps throw, cycles, nesting thousands deep. The search never throws: where it cannot look
 * further, the place it stands is the answer.
 */

/** Deepest nesting searched; a deeper failure is reported at this depth. */
const MAX_DEPTH = 32;
/** Most values visited, so a huge value cannot make a failed call slow. */
const MAX_VISITS = 10_000;

function clones(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

interface Search {
  readonly seen: Set<object>;
  visits: number;
}

/**
 * The path (from `root`) of the first part of `value` that cannot be cloned, if any. Never
 * throws: a getter that throws is itself the path (reading it is what failed), and a Proxy
 * whose traps throw is reported where it sits.
 */
export function findUncloneablePath(value: unknown, root: string): string | undefined {
  try {
    return search(value, root, 0, { seen: new Set(), visits: 0 });
  } catch {
    return root;
  }
}

function search(value: unknown, root: string, depth: number, state: Search): string | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return root;
  if (value === null || typeof value !== 'object') return undefined;
  // A cycle is cloneable in itself: what fails is elsewhere.
  if (state.seen.has(value)) return undefined;
  state.seen.add(value);
  if (++state.visits > MAX_VISITS) return root;
  if (clones(value)) return undefined;
  if (depth >= MAX_DEPTH) return root;
  let entries: Iterable<[string, () => unknown]>;
  try {
    entries = children(value);
  } catch {
    // A Proxy whose traps throw, or a collection whose iterator was replaced.
    return root;
  }
  for (const [suffix, read] of entries) {
    let child: unknown;
    try {
      child = read();
    } catch {
      return root + suffix;
    }
    const found = search(child, root + suffix, depth + 1, state);
    if (found) return found;
  }
  // Every part clones on its own: the value itself cannot (a Proxy, a class with internal
  // slots such as a WeakMap, a platform object).
  return root;
}

/** Each child's path suffix and a reader for it, read lazily so a throwing getter is caught. */
function children(value: object): [string, () => unknown][] {
  if (value instanceof Map) {
    const pairs = [...Map.prototype.entries.call(value)] as [unknown, unknown][];
    return pairs.flatMap(([k, v], i): [string, () => unknown][] => [
      [`.keys()[${i}]`, () => k],
      [`.get(${describeKey(k, i)})`, () => v],
    ]);
  }
  if (value instanceof Set) {
    return [...Set.prototype.values.call(value)].map((v, i) => [`[set ${i}]`, () => v]);
  }
  const keys = Object.keys(value);
  const array = Array.isArray(value);
  return keys.map((k) => [
    array && /^\d+$/.test(k)
      ? `[${k}]`
      : /^[A-Za-z_$][\w$]*$/.test(k)
        ? `.${k}`
        : `[${JSON.stringify(k)}]`,
    () => (value as Record<string, unknown>)[k],
  ]);
}

function describeKey(key: unknown, index: number): string {
  return typeof key === 'string' || typeof key === 'number' ? JSON.stringify(key) : `#${index}`;
}
