/**
 * What a lane and its session know of each other, in a file both import so neither imports the
 * other: the session tells a lane what arrived through {@link LaneSink}; the lane asks its
 * session through {@link LaneSession}. The session owns the books (which batch each task
 * travels in); the lane only turns what the session tells it into messages to core's scheduler.
 */
import type { EncodedThrown, WireEvent, WireJob, WireResult } from '@manyhands/core';

/** One batch of tasks sent as one BullMQ job, until the job is gone from Redis. */
export interface Batch {
  /** The BullMQ job id. */
  readonly id: string;
  /** The lane that sent it, told of what arrives. */
  readonly lane: LaneSink;
  /** Tasks (scheduler job ids) still waiting for a result. */
  readonly pending: Set<number>;
  /** Whether the job is known to be in Redis (its `add` resolved). */
  added: boolean;
  /** Whether some of its tasks were cancelled (nodes are asked again until the job is gone). */
  cancelled: boolean;
  /** Whether the job was missing from Redis at the last heartbeat (see `recoverLostJobs`). */
  missing: boolean;
  /** The job's name and encoded data, to add it again if a failover loses it. */
  readonly name: string;
  readonly data: string;
  readonly about: string;
}

/** What the session tells a lane (`lane.ts`), already filtered to tasks still waiting. */
export interface LaneSink {
  /** Worker nodes serve the queue: the scheduler may send work. */
  becomeReady(tasks: readonly string[]): void;
  /** The only nodes on the queue could not load their task module. */
  loadFailed(error: EncodedThrown): void;
  /** The session could not start (Redis unreachable, no node): the scheduler rejects its queue. */
  die(error: unknown): void;
  /** Results (and `[id, blockMs]` "went async" pairs) of tasks still waiting, once each. */
  deliver(results: readonly WireResult[], async: readonly number[]): void;
  /** Stream parts and progress of tasks still waiting. */
  deliverEvents(events: readonly WireEvent[]): void;
  /** Tasks that reject with `error` (delivered as is: no copy, so its class survives). */
  fail(ids: readonly number[], error: unknown): void;
  /** One of its batches is gone from Redis. */
  batchFinished(): void;
}

/** What a lane asks of its session (`host-session.ts`). */
export interface LaneSession {
  /** Adds one batch (`data`: the jobs, encoded) as a BullMQ job. */
  submit(lane: LaneSink, jobs: readonly WireJob[], data: string): void;
  /** The scheduler cancelled tasks: nodes drop them; waiting jobs go. */
  cancel(lane: LaneSink, ids: readonly number[]): void;
  /** A stream task's caller read `n` parts: the node running it may produce `n` more. */
  credit(lane: LaneSink, id: number, n: number): void;
  /** The lane was killed: its waiting jobs are removed and nodes drop its running tasks. */
  abandon(lane: LaneSink): void;
  /** Batches of the lane not yet gone from Redis. */
  batchesHeld(lane: LaneSink): number;
  /** Counts lanes that hold work: while none do, the sockets do not keep the process alive. */
  ref(delta: number): void;
  /** The lane left; the last one out cleans this caller's keys and disconnects. */
  detach(lane: LaneSink): Promise<void>;
}
