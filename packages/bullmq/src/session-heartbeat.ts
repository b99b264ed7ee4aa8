/** The caller session's heartbeat: its marker in Redis, the round trip, outages, a Redis that lost its state, jobs lost from it. */
import { RedisConnectionError } from './errors.js';
import { CALLER_TTL_MS } from './keys.js';
import { SessionNodeWatch } from './session-nodes.js';

/** Layer 4 of the {@link HostSession}: the heartbeat — renews the caller's marker, times the round trip, notices outages, a Redis that lost its state, and jobs lost from it. */
export abstract class SessionHeartbeat extends SessionNodeWatch {
  protected async recoverLostJobs(): Promise<void> {
    const queue = this.queue;
    const batches = [...this.batches.values()].filter((b) => b.added);
    if (!queue || batches.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const batch of batches) pipeline.exists(queue.toKey(batch.id));
    const replies = (await pipeline.exec()) ?? [];
    for (const [i, batch] of batches.entries()) {
      const [error, exists] = replies[i] ?? [null, 1];
      if (error || exists !== 0) {
        batch.missing = false;
        continue;
      }
      if (!batch.missing) {
        batch.missing = true;
        continue;
      }
      batch.missing = false;
      if (!this.batches.has(batch.id)) continue;
      // Every result arrived, only the "done" was lost: the job is finished.
      if (batch.pending.size === 0) this.finish(batch);
      else {
        await this.addJob(queue, batch);
        this.jobsAddedAgain++;
      }
    }
  }

  /** Redis is back after an outage: did it keep our state? */
  protected onReconnect(): void {
    if (this.state !== 'open') return;
    this.downSince = undefined;
    this.unreachable = undefined;
    void this.checkState();
  }

  /** Runs one command, recording its round trip. */
  protected async timed<T>(command: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const result = await command();
    this.roundTrip.record(performance.now() - start);
    return result;
  }

  /** Renews the caller marker; a missing marker means Redis lost this caller's jobs and results. */
  protected async checkState(): Promise<void> {
    const key = this.keys.caller(this.id);
    const renewed = await this.timed(() => this.client.set(key, '1', 'PX', CALLER_TTL_MS, 'XX'));
    if (renewed !== null || this.state !== 'open') return;
    this.failInFlight(
      new RedisConnectionError(
        `Redis at ${this.where()} lost this executor's jobs and results (it restarted without ` +
          'persistence, or its keys were flushed or evicted): the tasks in flight were rejected.',
      ),
      { removeJobs: false },
    );
    await this.client.set(key, '1', 'PX', CALLER_TTL_MS);
  }

  protected async beat(): Promise<void> {
    if (this.beating || this.state !== 'open') return;
    this.beating = true;
    try {
      if (this.downSince !== undefined) {
        const down = performance.now() - this.downSince;
        if (down > this.config.redisTimeout && !this.unreachable) {
          this.unreachable = new RedisConnectionError(
            `Redis at ${this.where()} has been unreachable for ${Math.round(down)} ms ` +
              `(redisTimeout: ${this.config.redisTimeout} ms).`,
          );
          this.failInFlight(this.unreachable, { removeJobs: false });
        }
        return;
      }
      await this.checkState();
      if (this.batches.size > 0) await this.watchNodes();
      await this.recoverLostJobs();
      for (const batch of this.batches.values()) {
        // A cancel published while the job waited was missed by its node: say it again.
        if (batch.cancelled && batch.added) {
          this.client
            .publish(this.keys.cancel, JSON.stringify({ c: this.id, j: batch.id }))
            .catch(() => {});
        }
      }
    } catch {
      // Redis went away mid-beat: the outage watch takes over.
    } finally {
      this.beating = false;
    }
  }
}
