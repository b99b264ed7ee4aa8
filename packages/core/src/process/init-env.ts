/**
 * How a process backend hands a forked worker its {@link WorkerInit}: one environment variable
 * holding the init in V8's serialization format (so `Infinity` and any later field survive),
 * read and removed by the worker before any task code runs.
 */
import { deserialize, serialize } from 'node:v8';
import type { WorkerInit } from '../wire/protocol.js';

/** Name of the environment variable that carries the init to a forked worker. */
export const WORKER_INIT_ENV = 'MANYHANDS_WORKER_INIT';

/** Encodes `init` for {@link WORKER_INIT_ENV}. */
export function encodeWorkerInit(init: WorkerInit): string {
  return serialize(init).toString('base64');
}

/**
 * Reads the init from `env` and deletes the variable, so task code and the worker's own child
 * processes never see it. Throws when the variable is missing or malformed.
 */
export function takeWorkerInit(env: NodeJS.ProcessEnv): WorkerInit {
  const text = env[WORKER_INIT_ENV];
  delete env[WORKER_INIT_ENV];
  if (!text) {
    throw new Error(
      `${WORKER_INIT_ENV} is not set: this file is a manyhands worker entry, started only by its executor.`,
    );
  }
  const init = deserialize(Buffer.from(text, 'base64')) as WorkerInit;
  if (typeof init?.module !== 'string' || typeof init.concurrency !== 'number') {
    throw new Error(`${WORKER_INIT_ENV} does not hold a manyhands worker init.`);
  }
  return init;
}
