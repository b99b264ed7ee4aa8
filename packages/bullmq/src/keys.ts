/**
 * Where manyhands keeps its own state in Redis, next to BullMQ's keys for the same queue
 * (`<prefix>:<queue>:…`), so one `prefix` and queue name scope everything.
 */

/** The Redis keys and channel of one queue. */
export interface QueueKeys {
  /** Set of the ids of worker nodes that announced themselves. */
  readonly nodes: string;
  /** One node's announcement (JSON, with a TTL the node keeps renewing). */
  node(nodeId: string): string;
  /** A caller's liveness marker (with a TTL the caller keeps renewing). */
  caller(callerId: string): string;
  /** The list a caller reads its results from. */
  results(callerId: string): string;
  /** Pub/sub channel on which callers ask nodes to cancel tasks. */
  readonly cancel: string;
}

/** Key names for `queue` under `prefix` (BullMQ's `prefix` option, default `'bull'`). */
export function queueKeys(prefix: string, queue: string): QueueKeys {
  const base = `${prefix}:${queue}:mh`;
  return {
    nodes: `${base}:nodes`,
    node: (nodeId) => `${base}:node:${nodeId}`,
    caller: (callerId) => `${base}:caller:${callerId}`,
    results: (callerId) => `${base}:results:${callerId}`,
    cancel: `${base}:cancel`,
  };
}

/** How long a caller's marker and results list live without renewal. */
export const CALLER_TTL_MS = 60_000;
/** How long a node's announcement lives without renewal. */
export const NODE_TTL_MS = 5_000;
/** How often a node renews its announcement. */
export const NODE_HEARTBEAT_MS = 1_500;
/** How long the announcement of a node whose module failed to load stays visible. */
export const LOAD_ERROR_TTL_MS = 60_000;
