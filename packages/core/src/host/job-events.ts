/**
 * The host side of a job's events (stream parts and progress values): the callbacks a call
 * registers on its job, and their routing from a worker's `events` message. Only jobs the worker
 * still holds get events, so nothing reaches a call after it settled (finished, timed out,
 * aborted, or its worker died), and a callback that throws never reaches the scheduler.
 */
import { EventKind, type WireEvent } from '../wire/protocol.js';

/** Callbacks of one job for what its worker reports while it runs. */
export interface JobEvents {
  /** A part yielded by a `Stream` job, in order. */
  part?(value: unknown): void;
  /** A value the task passed to `progress()`, in order. */
  progress?(value: unknown): void;
  /** The job was handed to a worker: `grant(n)` lets that worker produce `n` more parts. */
  dispatched?(grant: (n: number) => void): void;
}

/** What routing needs of a job the worker holds. */
interface EventTarget {
  readonly settled: boolean;
  readonly spec: { readonly events?: JobEvents };
}

/** Hands each event to the callbacks of its job, when the worker still holds that job. */
export function routeEvents(
  held: ReadonlyMap<number, EventTarget>,
  events: readonly WireEvent[],
): void {
  for (const [id, kind, value] of events) {
    const job = held.get(id);
    if (!job || job.settled) continue;
    const callbacks = job.spec.events;
    try {
      if (kind === EventKind.Part) callbacks?.part?.(value);
      else callbacks?.progress?.(value);
    } catch {
      // The call's own wrapper catches its user's errors; nothing may break the message loop.
    }
  }
}
