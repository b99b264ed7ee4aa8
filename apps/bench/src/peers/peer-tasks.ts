/**
 * The task module peers load: the bench's own tasks, plus `…Chunk` variants that take an
 * array of inputs, for hand-chunking a `map` over a pool that runs one task per message.
 * Promise-returning tasks are declared `async`: poolifier tells async tasks from sync ones by
 * that, and posts a sync task's returned promise as its result (which fails to clone).
 */
import {
  factorial,
  factorialAfterFile,
  factorialAfterHttp,
  factorialAfterTimer,
} from '../tasks.js';

export {
  factorial,
  factorialAfterFile,
  factorialAfterHttp,
  factorialAfterTimer,
  noop,
} from '../tasks.js';

/** `factorial` of each input. */
export function factorialChunk(inputs: readonly number[]): bigint[] {
  return inputs.map(factorial);
}

/** `factorialAfterTimer` of each input, all waiting at once. */
export async function factorialAfterTimerChunk(inputs: readonly number[]): Promise<bigint[]> {
  return Promise.all(inputs.map(factorialAfterTimer));
}

/** `factorialAfterHttp` of each input, all waiting at once. */
export async function factorialAfterHttpChunk(inputs: readonly number[]): Promise<bigint[]> {
  return Promise.all(inputs.map(factorialAfterHttp));
}

/** `factorialAfterFile` of each input, all waiting at once. */
export async function factorialAfterFileChunk(inputs: readonly number[]): Promise<bigint[]> {
  return Promise.all(inputs.map(factorialAfterFile));
}
