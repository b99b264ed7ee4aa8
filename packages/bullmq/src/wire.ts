/**
 * What travels through Redis. Values are encoded with `v8.serialize` (the structured-clone
 * format), so BigInt, Map, Set, Date, RegExp, typed arrays, `undefined` and errors arrive
 * exactly as the local backends deliver them.
 *
 * - A BullMQ job's `data` is `{ c, w, about }`: the caller's id, a batch of core's `WireJob`s
 *   (task name, kind, arguments or items) as base64 of `v8.serialize`, and a line saying what
 *   the batch holds, for people watching the queue. Never code.
 * - A node answers on the caller's results list with `v8.serialize`d {@link NodeMessage}s.
 */
import { deserialize, serialize } from 'node:v8';
import type { WireEvent, WireJob, WireResult } from '@manyhands/core';

/** The `data` of every BullMQ job this backend adds. */
export interface JobData {
  /** Id of the caller (executor session) whose results list gets the answers. */
  readonly c: string;
  /** The batch: base64 of `v8.serialize(WireJob[])`. */
  readonly w: string;
  /** What the batch holds, for people watching the queue (see `job-summary.ts`); not read. */
  readonly about?: string;
  /**
   * The caller's worker setup, when it has an `initializer` or a `teardown`: base64 of
   * `v8.serialize(`{@link NodeSetupSpec}`)`. A node runs each distinct setup once, before the
   * first batch that carries it (see `node-setup.ts`).
   */
  readonly s?: string;
}

/** What a caller's `initializer`, `initArgs` and `teardown` options tell its nodes. */
export interface NodeSetupSpec {
  readonly initializer?: string;
  readonly initArgs?: readonly unknown[];
  readonly teardown?: string;
  readonly teardownTimeout?: number;
}

/** Encodes a caller's setup for {@link JobData.s}; `undefined` when it has none. */
export function encodeSetup(spec: NodeSetupSpec): string | undefined {
  const { initializer, initArgs, teardown, teardownTimeout } = spec;
  if (initializer === undefined && teardown === undefined) return undefined;
  return serialize({ initializer, initArgs, teardown, teardownTimeout }).toString('base64');
}

/** Decodes {@link JobData.s}; throws a `TypeError` when it is not one this backend wrote. */
export function decodeSetup(text: string): NodeSetupSpec {
  const spec = deserialize(Buffer.from(text, 'base64')) as Partial<NodeSetupSpec> | null;
  if (
    typeof spec !== 'object' ||
    spec === null ||
    (spec.initializer !== undefined && typeof spec.initializer !== 'string') ||
    (spec.initArgs !== undefined && !Array.isArray(spec.initArgs)) ||
    (spec.teardown !== undefined && typeof spec.teardown !== 'string') ||
    (spec.teardownTimeout !== undefined && typeof spec.teardownTimeout !== 'number')
  ) {
    throw new TypeError('Not a manyhands job: its worker setup is malformed.');
  }
  return spec;
}

/** Kinds of node → caller message. */
export const NodeMessageKind = Object.freeze({
  /** Results (and "went async" notes) of some of a job's tasks. */
  Results: 0,
  /** The BullMQ job completed and was removed from Redis. */
  Done: 1,
  /** BullMQ failed the job (it stalled too often, or the node could not run it). */
  Failed: 2,
  /** Stream parts and progress values of some of a job's tasks (sent before their results). */
  Events: 3,
} as const);

/** A node → caller message, keyed by the BullMQ job id it is about. */
export type NodeMessage =
  | readonly [
      kind: typeof NodeMessageKind.Results,
      job: string,
      results: readonly WireResult[],
      async: readonly number[],
    ]
  | readonly [kind: typeof NodeMessageKind.Done, job: string]
  | readonly [kind: typeof NodeMessageKind.Failed, job: string, reason: string]
  | readonly [kind: typeof NodeMessageKind.Events, job: string, events: readonly WireEvent[]];

/** Encodes a batch for a job's `data`. Throws (DataCloneError) when a value cannot be cloned. */
export function encodeJobs(jobs: readonly WireJob[]): string {
  return serialize(jobs).toString('base64');
}

/** Decodes a job's batch; throws a `TypeError` when `data` is not one this backend wrote. */
export function decodeJobs(data: unknown): { caller: string; jobs: WireJob[]; setup?: string } {
  const d = data as Partial<JobData> | null;
  if (!d || typeof d.c !== 'string' || typeof d.w !== 'string') {
    throw new TypeError('Not a manyhands job: its data lacks the caller id and the batch.');
  }
  if (d.s !== undefined && typeof d.s !== 'string') {
    throw new TypeError('Not a manyhands job: its worker setup is not a string.');
  }
  const jobs = deserialize(Buffer.from(d.w, 'base64')) as unknown;
  if (!Array.isArray(jobs) || !jobs.every(isWireJob)) {
    throw new TypeError('Not a manyhands job: its batch is not a list of tasks.');
  }
  return d.s === undefined ? { caller: d.c, jobs } : { caller: d.c, jobs, setup: d.s };
}

function isWireJob(value: unknown): value is WireJob {
  return (
    Array.isArray(value) &&
    value.length >= 4 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'number' &&
    typeof value[2] === 'string' &&
    Array.isArray(value[3]) &&
    (value.length === 4 ||
      typeof value[4] === 'string' ||
      // A stream's credit: how many parts the node may produce before the caller grants more.
      ((value.length === 5 || (value.length === 6 && value[5] === 1)) &&
        Number.isInteger(value[4]) &&
        (value[4] as number) > 0))
  );
}

/** Encodes a node → caller message. Throws (DataCloneError) when a result cannot be cloned. */
export function encodeNodeMessage(message: NodeMessage): Buffer {
  return serialize(message);
}

/** Decodes a node → caller message. */
export function decodeNodeMessage(buffer: Buffer): NodeMessage {
  return deserialize(buffer) as NodeMessage;
}
