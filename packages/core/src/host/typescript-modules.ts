/**
 * TypeScript task modules (`tasks.ts`): on Node >= 22.6 workers strip the types themselves
 * (with `--experimental-strip-types` added to their flags where that Node needs it); on older
 * Node a `.ts` module that fails to load gets a {@link ModuleLoadError} that says what to do
 * instead of Node's bare "Unknown file extension".
 */

/** Whether the task module's URL names a TypeScript file (`.ts`, `.mts`, `.cts`). */
export function isTypeScriptModule(moduleUrl: string): boolean {
  let path = moduleUrl;
  try {
    path = new URL(moduleUrl).pathname;
  } catch {
    // not a URL: test the string itself
  }
  return /\.[cm]?ts$/i.test(path);
}

/** The flag that turns on type stripping on Node 22.6 to 23.5 (later Nodes strip by default). */
export const STRIP_TYPES_FLAG = '--experimental-strip-types';

function nodeVersion(version: string): [number, number] {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return [major, minor];
}

/**
 * What a worker's Node flags need for `moduleUrl`: `undefined` when nothing (not TypeScript,
 * Node strips types by default, or the flags already turn it on), else the flag to add. On a
 * Node without type stripping (< 22.6) nothing is added: the user's loader, if any, must do.
 *
 * @param flags - the flags the worker will run with (its `execArgv`), and `NODE_OPTIONS`.
 */
export function typeStrippingFlag(
  moduleUrl: string,
  flags: readonly string[],
  version: string = process.versions.node,
): string | undefined {
  if (!isTypeScriptModule(moduleUrl)) return undefined;
  const [major, minor] = nodeVersion(version);
  const canStrip = major > 22 || (major === 22 && minor >= 6);
  const stripsByDefault = major > 23 || (major === 23 && minor >= 6);
  if (!canStrip || stripsByDefault) return undefined;
  const all = [...flags, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (all.some((f) => f === STRIP_TYPES_FLAG || f === '--experimental-transform-types')) {
    return undefined;
  }
  return STRIP_TYPES_FLAG;
}

/**
 * What to tell the user when a TypeScript task module failed to load because this Node cannot
 * import `.ts` files (`ERR_UNKNOWN_FILE_EXTENSION`); `undefined` for any other failure.
 */
export function typeScriptLoadHint(
  moduleUrl: string,
  reason: unknown,
  version: string = process.versions.node,
): string | undefined {
  if (!isTypeScriptModule(moduleUrl)) return undefined;
  let code: unknown;
  try {
    code = (reason as { code?: unknown } | null)?.code;
  } catch {
    return undefined;
  }
  if (code !== 'ERR_UNKNOWN_FILE_EXTENSION') return undefined;
  return (
    `Node ${version} cannot import a TypeScript task module by itself. Either build it to ` +
    'JavaScript (tsc, tsup, esbuild…) and point the executor at the built file, e.g. ' +
    "new URL('./tasks.js', import.meta.url) from the built host; or run the host under a " +
    'TypeScript loader such as tsx (node --import tsx host.ts): worker threads inherit the ' +
    "host's execArgv, process workers need execArgv: process.execArgv or " +
    "NODE_OPTIONS='--import tsx'; or use Node >= 22.6, where manyhands turns on type stripping " +
    'in its workers.'
  );
}
