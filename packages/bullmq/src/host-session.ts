/**
 * A caller's connection to one queue, shared by all lanes of an executor: adds batches as BullMQ
 * jobs, reads results from the caller's own Redis list, asks nodes to cancel tasks, and watches
 * for the failures a distributed backend adds (Redis unreachable or restarted empty, no worker
 * node left), rejecting the tasks in flight with a clear error instead of hanging.
 *
 * The session is built in layers, one file each: `session-base.ts` (state, lanes and their
 * books, adding and finishing batches), `session-results.ts` (the results reader),
 * `session-nodes.ts` (the node watch), `session-heartbeat.ts` (the outage heartbeat), and here
 * opening and closing.
 */
import { Queue } from 'bullmq';
import { CALLER_TTL_MS } from './keys.js';
import { setClientRef, whenReady } from './redis-connection.js';
import { CLEANUP_MS, delay, HEARTBEAT_MS } from './session-base.js';
import { SessionHeartbeat } from './session-heartbeat.js';

export type { SessionConfig } from './session-base.js';

export class HostSession extends SessionHeartbeat {
  protected async open(): Promise<void> {
    try {
      await Promise.all([
        whenReady(this.client, this.config.redis),
        whenReady(this.blocker, this.config.redis),
      ]);
      for (const client of [this.client, this.blocker]) {
        // Errors surface through commands and the outage watch; without a listener ioredis prints them.
        client.on('error', () => {});
        client.on('connect', () => setClientRef(client, this.refs > 0));
      }
      this.client.on('close', () => {
        this.downSince ??= performance.now();
      });
      this.client.on('ready', () => this.onReconnect());
      setClientRef(this.client, this.refs > 0);
      setClientRef(this.blocker, this.refs > 0);
      this.queue = new Queue(this.config.queue, {
        connection: this.client,
        prefix: this.config.prefix,
      });
      this.queue.on('error', () => {});
      await this.queue.waitUntilReady();
      // Three timed round trips: map chunks are sized for the link before the first heartbeat.
      for (let i = 0; i < 3; i++) await this.timed(() => this.client.ping());
      await this.client.set(this.keys.caller(this.id), '1', 'PX', CALLER_TTL_MS);
      if (this.state !== 'opening') return; // closed while opening
      this.state = 'open';
      this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
      this.heartbeat.unref();
      void this.readResults();
      void this.lookForNodes();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Removes what this caller left in Redis, then disconnects. */
  protected close(): Promise<void> {
    if (this.closing) return this.closing;
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.closing = (async () => {
      if (wasOpen && this.queue) {
        const queue = this.queue;
        const cleanup = (async () => {
          const left = [...this.batches.values()];
          if (left.length > 0) {
            // Waiting jobs go now; nodes drop what they have not started and report the rest.
            const allFinished = new Promise<void>((resolve) => {
              this.onAllFinished = resolve;
            });
            await this.client.publish(this.keys.cancel, JSON.stringify({ c: this.id }));
            for (const batch of left) void this.tryRemove(batch);
            await allFinished;
          }
          await this.client.del(this.keys.caller(this.id), this.keys.results(this.id));
          await queue.close();
        })();
        await Promise.race([cleanup.catch(() => {}), delay(CLEANUP_MS)]);
      }
      this.batches.clear();
      this.client.disconnect();
      this.blocker.disconnect();
      this.state = 'closed';
    })();
    return this.closing;
  }
}
