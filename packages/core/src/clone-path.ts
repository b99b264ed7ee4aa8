/**
 * Finds where in a value structured clone fails, so a `NotCloneableError` can say
 * `args[0].onDone` rather than just "could not be cloned". Runs only after a clone has failed.
 */

function clones(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** The path (from `root`) of the first part of `value` that cannot be cloned, if any. */
export function findUncloneablePath(value: unknown, root: string, depth = 0): string | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return root;
  if (value === null || typeof value !== 'object') return undefined;
  if (clones(value)) return undefined;
  if (depth > 32) return root;
  const entries: [string, unknown][] =
    value instanceof Map
      ? [...value.entries()].map(([k, v], i) => [`.get(${describeKey(k, i)})`, v])
      : value instanceof Set
        ? [...value].map((v, i) => [`[set ${i}]`, v])
        : Array.isArray(value)
          ? value.map((v, i) => [`[${i}]`, v])
          : Object.entries(value).map(([k, v]) => [
              /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`,
              v,
            ]);
  for (const [suffix, child] of entries) {
    const found = findUncloneablePath(child, root + suffix, depth + 1);
    if (found) return found;
  }
  return root;
}

function describeKey(key: unknown, index: number): string {
  return typeof key === 'string' || typeof key === 'number' ? JSON.stringify(key) : `#${index}`;
}
