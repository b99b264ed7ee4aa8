/** The caller session's node watch: a first worker node to serve the queue, and work no node serves any more. */
import type { EncodedThrown } from '@manyhands/core';
import { WorkerNodeLostError } from './errors.js';
import { readNodes } from './node-registry.js';
import { delay, NODE_POLL_MS } from './session-base.js';
import { SessionResultsReader } from './session-results.js';

/** Layer 3 of the {@link HostSession}: waits for a first worker node, and rejects work no node has served for `nodeTimeout`. */
export abstract class SessionNodeWatch extends SessionResultsReader {
  /** Waits for a first worker node, then tells the lanes which tasks exist. */
  protected async lookForNodes(): Promise<void> {
    if (this.looking || this.tasks) return;
    this.looking = true;
    const start = performance.now();
    try {
      while (this.state === 'open' && this.lanes.size > 0) {
        const nodes = await readNodes(this.client, this.keys);
        const serving = nodes.filter((node) => !node.loadError);
        if (serving.length > 0) {
          this.servingNodes = serving.length;
          this.tasks = [...new Set(serving.flatMap((node) => node.tasks))];
          for (const lane of this.lanes.keys()) lane.becomeReady(this.tasks);
          return;
        }
        const broken = nodes.find((node) => node.loadError);
        if (broken) {
          for (const lane of [...this.lanes.keys()]) {
            lane.loadFailed(broken.loadError as EncodedThrown);
          }
          return;
        }
        if (performance.now() - start > this.config.nodeTimeout) {
          throw new Error(
            `no manyhands worker node serves queue "${this.config.queue}" at ${this.where()} ` +
              `(waited ${this.config.nodeTimeout} ms). Start one: manyhands-worker --redis <url> ` +
              `--queue ${this.config.queue} --tasks <path of ${this.config.module}>`,
          );
        }
        await delay(NODE_POLL_MS);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.looking = false;
    }
  }

  /** Rejects the work in flight once no worker node has been alive for `nodeTimeout`. */
  protected async watchNodes(): Promise<void> {
    const nodes = await readNodes(this.client, this.keys);
    const serving = nodes.filter((node) => !node.loadError).length;
    if (serving > 0) this.servingNodes = serving;
    if (serving > 0) {
      this.noNodeSince = undefined;
      return;
    }
    this.noNodeSince ??= performance.now();
    const waited = performance.now() - this.noNodeSince;
    if (waited > this.config.nodeTimeout) {
      this.noNodeSince = undefined;
      this.failInFlight(
        new WorkerNodeLostError(
          `no worker node has served queue "${this.config.queue}" for ${Math.round(waited)} ms ` +
            `(nodeTimeout: ${this.config.nodeTimeout} ms)`,
        ),
        { removeJobs: true },
      );
    }
  }
}
