/**
 * The worker-node side of the `initializer`, `initArgs` and `teardown` options. A node serves
 * many callers from one copy of the task module, so it runs each distinct setup (a caller's
 * initializer with its arguments) once, before the first batch that carries it, and the
 * teardowns of the setups it ran when it stops. An initializer that fails fails the batches
 * that need it with `WorkerStartError`; the node tries it again for a batch that comes after
 * {@link RETRY_FAILED_SETUP_MS}, never in a loop.
 */
import { hostname } from 'node:os';
import { WorkerStartError } from '@manyhands/core';
import { runInitializer, runTeardown } from '@manyhands/core/worker';
import { decodeSetup, type NodeSetupSpec } from './wire.js';

/** How long a failed initializer's error answers the batches that need it before a new try. */
export const RETRY_FAILED_SETUP_MS = 5_000;

interface SetupEntry {
  readonly spec: NodeSetupSpec;
  readonly done: Promise<void>;
  failedAt: number | undefined;
}

/** The setups one node has run. */
export class NodeSetups {
  private readonly module: string;
  private readonly entries = new Map<string, SetupEntry>();
  private exports: Promise<Record<string, unknown>> | undefined;

  constructor(module: string) {
    this.module = module;
  }

  /**
   * Resolves once the setup encoded as `key` has run on this node (at once when it already
   * has); rejects with `WorkerStartError` when its initializer failed.
   */
  prepare(key: string): Promise<void> {
    const known = this.entries.get(key);
    if (known && !(known.failedAt && performance.now() - known.failedAt > RETRY_FAILED_SETUP_MS)) {
      return known.done;
    }
    let spec: NodeSetupSpec;
    try {
      spec = decodeSetup(key);
    } catch (error) {
      return Promise.reject(error);
    }
    const entry: SetupEntry = { spec, done: this.run(spec), failedAt: undefined };
    entry.done.catch(() => {
      entry.failedAt = performance.now();
    });
    this.entries.set(key, entry);
    return entry.done;
  }

  private async run(spec: NodeSetupSpec): Promise<void> {
    if (spec.initializer === undefined) return;
    // The same module instance the node's runtime loaded: ES modules are cached by URL.
    this.exports ??= import(this.module) as Promise<Record<string, unknown>>;
    try {
      await runInitializer(await this.exports, spec.initializer, spec.initArgs ?? []);
    } catch (cause) {
      const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw new WorkerStartError(
        `its initializer "${spec.initializer}" (of ${this.module}) failed on worker node ` +
          `${hostname()} pid ${process.pid}: ${why}`,
        { cause },
      );
    }
  }

  /** Runs the teardown of every setup whose initializer succeeded here, each within its grace. */
  async teardown(): Promise<void> {
    if (![...this.entries.values()].some((entry) => entry.spec.teardown !== undefined)) return;
    const exports = this.exports ? await this.exports.catch(() => undefined) : undefined;
    const tasks = exports ?? ((await import(this.module)) as Record<string, unknown>);
    for (const entry of this.entries.values()) {
      if (entry.spec.teardown === undefined) continue;
      const ok = await entry.done.then(
        () => true,
        () => false,
      );
      if (ok) await runTeardown(tasks, entry.spec.teardown, entry.spec.teardownTimeout ?? 5_000);
    }
  }
}
