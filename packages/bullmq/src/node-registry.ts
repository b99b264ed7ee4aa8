/**
 * Worker nodes announce themselves in Redis (their task names, or why their module failed to
 * load), under a key with a TTL they keep renewing. Callers read the announcements to learn the
 * task names, to report a module that fails to load, and to notice when no node is left.
 */
import type { EncodedThrown } from '@manyhands/core';
import type { Redis } from 'ioredis';
import type { QueueKeys } from './keys.js';

/** What a worker node tells callers about itself. */
export interface NodeAnnouncement {
  /** The node's id (host name, pid and a random suffix). */
  readonly id: string;
  /** Host name of the machine. */
  readonly host: string;
  /** Process id on that machine. */
  readonly pid: number;
  /** URL of the task module the node was started with. */
  readonly module: string;
  /** Names of the module's exported functions: the only tasks it runs. */
  readonly tasks: readonly string[];
  /** BullMQ jobs (batches of tasks) the node runs at once. */
  readonly concurrency: number;
  /** Set when the module failed to load: the node serves nothing and has exited. */
  readonly loadError?: EncodedThrown;
}

/** JSON that survives values JSON cannot hold (an error's BigInt property, say). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** Writes (or renews) a node's announcement for `ttlMs`. */
export async function announceNode(
  client: Redis,
  keys: QueueKeys,
  node: NodeAnnouncement,
  ttlMs: number,
): Promise<void> {
  await client
    .multi()
    .set(keys.node(node.id), toJson(node), 'PX', ttlMs)
    .sadd(keys.nodes, node.id)
    .exec();
}

/** Removes a node's announcement (it stops serving). */
export async function withdrawNode(client: Redis, keys: QueueKeys, nodeId: string): Promise<void> {
  await client.multi().del(keys.node(nodeId)).srem(keys.nodes, nodeId).exec();
}

/** The announcements alive now; forgets the ids of nodes whose announcement expired. */
export async function readNodes(client: Redis, keys: QueueKeys): Promise<NodeAnnouncement[]> {
  const ids = await client.smembers(keys.nodes);
  if (ids.length === 0) return [];
  const values = await client.mget(ids.map((id) => keys.node(id)));
  const alive: NodeAnnouncement[] = [];
  const gone: string[] = [];
  values.forEach((value, i) => {
    if (value === null) gone.push(ids[i] as string);
    else {
      try {
        alive.push(JSON.parse(value) as NodeAnnouncement);
      } catch {
        // Not written by this package: ignore it.
      }
    }
  });
  if (gone.length > 0) await client.srem(keys.nodes, ...gone);
  return alive;
}
