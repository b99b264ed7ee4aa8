/**
 * Loading the task module in a worker, and its initializer: what the host hears is `ready`
 * (with the task names) or one `load-error` (naming the initializer when that failed). A
 * rejection nobody handles meanwhile is the module failing to load, not a crash of a worker that
 * would be replaced again and again.
 */
import { encodeThrown } from '../wire/error-codec.js';
import { BRAND, type WorkerInit } from '../wire/protocol.js';
import type { AnyFn } from './execute.js';
import type { WorkerPort } from './port.js';
import { runInitializer } from './worker-setup.js';

/**
 * Imports `init.module`, runs its initializer if any, then calls `onReady` with its exported
 * functions and their names; on failure, tells the host instead.
 */
export function loadTaskModule(
  port: WorkerPort,
  init: WorkerInit,
  onReady: (tasks: Record<string, AnyFn>, names: string[]) => void,
): void {
  let settled = false;
  /** Set while the initializer runs: a failure then is the initializer's. */
  let initializing = false;
  const failed = (error: unknown): void => {
    if (settled) return;
    settled = true;
    process.off('unhandledRejection', failed);
    let encoded: ReturnType<typeof encodeThrown>;
    try {
      encoded = encodeThrown(error);
    } catch {
      encoded = encodeThrown(
        new Error(initializing ? 'the initializer failed' : 'the task module failed to load'),
      );
    }
    const initializer = initializing ? { initializer: init.initializer } : undefined;
    port.post({ mh: BRAND, k: 'load-error', error: encoded, ...initializer });
  };
  // Afterwards, Node's default.
  if (!port.sharesThread) process.on('unhandledRejection', failed);

  const ready = (found: Record<string, AnyFn>, names: string[]): void => {
    if (settled) return;
    settled = true;
    process.off('unhandledRejection', failed);
    onReady(found, names);
  };

  import(init.module).then((mod: Record<string, unknown>) => {
    if (settled) return;
    const found: Record<string, AnyFn> = Object.create(null);
    for (const [key, value] of Object.entries(mod)) {
      if (typeof value === 'function') found[key] = value as AnyFn;
    }
    const names = Object.keys(found);
    if (init.initializer === undefined) {
      ready(found, names);
      return;
    }
    initializing = true;
    let pending: Promise<void> | undefined;
    try {
      pending = runInitializer(found, init.initializer, init.initArgs ?? []);
    } catch (error) {
      failed(error);
      return;
    }
    if (pending) pending.then(() => ready(found, names), failed);
    else ready(found, names);
  }, failed);
}
