/**
 * Reads `map` inputs a chunk at a time from an array, any iterable or any async iterable,
 * without ever holding more of the input than the chunks in flight.
 */

/** Pulls chunks of inputs. */
export interface InputSource {
  /** Items left, when known (arrays and other sized inputs). */
  readonly remaining: number | undefined;
  /** Up to `size` next items; an empty array once the input is exhausted. */
  read(size: number): unknown[] | Promise<unknown[]>;
  /** Lets the input release resources when the map stops early. */
  close(): void;
}

/** Wraps `inputs` as an {@link InputSource}; throws `TypeError` if it is not iterable. */
export function inputSource(inputs: unknown): InputSource {
  if (Array.isArray(inputs)) return arraySource(inputs);
  if (inputs !== null && typeof inputs === 'object') {
    const asyncIt = (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator];
    if (typeof asyncIt === 'function') return asyncSource(asyncIt.call(inputs));
    const syncIt = (inputs as Iterable<unknown>)[Symbol.iterator];
    if (typeof syncIt === 'function') return syncSource(syncIt.call(inputs));
  }
  if (typeof inputs === 'string') return syncSource((inputs as string)[Symbol.iterator]());
  throw new TypeError('map inputs must be an array, an iterable or an async iterable.');
}

function arraySource(items: readonly unknown[]): InputSource {
  let at = 0;
  return {
    get remaining() {
      return items.length - at;
    },
    read(size) {
      const chunk = items.slice(at, at + size);
      at += chunk.length;
      return chunk;
    },
    close() {
      at = items.length;
    },
  };
}

function syncSource(iterator: Iterator<unknown>): InputSource {
  let done = false;
  return {
    remaining: undefined,
    read(size) {
      const chunk: unknown[] = [];
      while (!done && chunk.length < size) {
        const step = iterator.next();
        if (step.done) done = true;
        else chunk.push(step.value);
      }
      return chunk;
    },
    close() {
      if (!done) {
        done = true;
        iterator.return?.();
      }
    },
  };
}

function asyncSource(iterator: AsyncIterator<unknown>): InputSource {
  let done = false;
  return {
    remaining: undefined,
    async read(size) {
      const chunk: unknown[] = [];
      while (!done && chunk.length < size) {
        const step = await iterator.next();
        if (step.done) done = true;
        else chunk.push(step.value);
      }
      return chunk;
    },
    close() {
      if (!done) {
        done = true;
        void iterator.return?.()?.catch?.(() => {});
      }
    },
  };
}
