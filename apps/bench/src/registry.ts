/**
 * The backend registry: every file in `backends/` exports one {@link BackendEntry}. Adding a
 * backend to the bench is one file there plus a dependency in package.json; nothing else
 * lists them. A file that fails to load (its package missing) shows up as unavailable instead
 * of breaking the run.
 */
import { readdir } from 'node:fs/promises';
import type { Executor } from '@manyhands/core';

/** Whether a backend can run on this machine now, and why not. */
export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One backend the bench can run: what a file in `backends/` exports as `backend`. */
export interface BackendEntry {
  /** The name in `--backends`, tables and the chart, e.g. `'worker-threads'`. */
  readonly name: string;
  /** Position in tables: the baseline (inline) is 0. */
  readonly order: number;
  /**
   * `false` for a backend whose "workers" share one thread (inline): it runs at one worker
   * only, as the baseline.
   */
  readonly parallel: boolean;
  /** Checks what the backend needs (a package, a server, a binary) without starting workers. */
  available(): Promise<Availability>;
  /** Starts an executor over the bench's task module with `workers` workers. */
  create<M>(module: URL, workers: number): Executor<M> | Promise<Executor<M>>;
}

/** A backend as the registry found it: its entry and the module that exports it. */
export interface RegisteredBackend {
  readonly entry: BackendEntry;
  /** URL of the module exporting `backend`, so a case process can load it too. */
  readonly moduleUrl: string;
}

/** A file in `backends/` that could not be loaded. */
export interface BrokenBackend {
  readonly file: string;
  readonly reason: string;
}

/** What {@link loadRegistry} found. */
export interface Registry {
  readonly backends: readonly RegisteredBackend[];
  readonly broken: readonly BrokenBackend[];
}

/** The folder of backend entries next to this file (in `dist/`). */
export const BACKENDS_DIR = new URL('./backends/', import.meta.url);

function isBackendEntry(value: unknown): value is BackendEntry {
  const entry = value as Partial<BackendEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.name === 'string' &&
    typeof entry.order === 'number' &&
    typeof entry.parallel === 'boolean' &&
    typeof entry.available === 'function' &&
    typeof entry.create === 'function'
  );
}

/** Imports one module that should export `backend`. */
export async function loadBackendModule(moduleUrl: string): Promise<BackendEntry> {
  const mod = (await import(moduleUrl)) as { backend?: unknown };
  if (!isBackendEntry(mod.backend)) {
    throw new TypeError(`${moduleUrl} does not export a valid \`backend\` entry.`);
  }
  return mod.backend;
}

/**
 * Loads every entry in `dir` (default {@link BACKENDS_DIR}) plus `extraModules` (tests add
 * misbehaving backends this way), sorted by `order` then name.
 */
export async function loadRegistry(
  dir: URL = BACKENDS_DIR,
  extraModules: readonly string[] = [],
): Promise<Registry> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.js')).sort();
  const urls = [...files.map((file) => new URL(file, dir).href), ...extraModules];
  const backends: RegisteredBackend[] = [];
  const broken: BrokenBackend[] = [];
  for (const moduleUrl of urls) {
    try {
      backends.push({ entry: await loadBackendModule(moduleUrl), moduleUrl });
    } catch (error) {
      broken.push({ file: moduleUrl, reason: (error as Error).message });
    }
  }
  const names = new Set<string>();
  for (const { entry } of backends) {
    if (names.has(entry.name)) throw new Error(`Two backend entries are named "${entry.name}".`);
    names.add(entry.name);
  }
  backends.sort(
    (a, b) => a.entry.order - b.entry.order || a.entry.name.localeCompare(b.entry.name),
  );
  return { backends, broken };
}
