/** The caller session's results reader: node messages from this caller's own Redis list, to the lanes. */
import type { WireEvent, WireResult } from '@manyhands/core';
import { WorkerNodeLostError } from './errors.js';
import type { Batch } from './lane-contract.js';
import { delay, READ_COUNT, SessionBase, type State } from './session-base.js';
import { decodeNodeMessage, type NodeMessage, NodeMessageKind } from './wire.js';

/** Layer 2 of the {@link HostSession}: reads what nodes send (results, stream events, jobs done or failed) from this caller's list. */
export abstract class SessionResultsReader extends SessionBase {
  /** Reads node messages from this caller's list until the session closes. */
  protected async readResults(): Promise<void> {
    const key = this.keys.results(this.id);
    // Runs on while closing: nodes still report the jobs they finish.
    while (this.state === 'open' || this.state === 'closing') {
      let reply: [Buffer, Buffer[]] | null;
      try {
        reply = (await this.blocker.blmpopBuffer(0, 1, key, 'LEFT', 'COUNT', READ_COUNT)) as
          | [Buffer, Buffer[]]
          | null;
      } catch {
        if ((this.state as State) === 'closed') return;
        await delay(50);
        continue;
      }
      if (!reply) continue;
      for (const buffer of reply[1]) {
        let message: NodeMessage;
        try {
          message = decodeNodeMessage(buffer);
        } catch {
          continue;
        }
        this.dispatch(message);
      }
    }
  }

  protected dispatch(message: NodeMessage): void {
    const batch = this.batches.get(message[1]);
    if (!batch) return; // finished, or abandoned by a terminated lane
    switch (message[0]) {
      case NodeMessageKind.Results:
        this.deliver(batch, message[2], message[3]);
        break;
      case NodeMessageKind.Events:
        this.deliverEvents(batch, message[2]);
        break;
      case NodeMessageKind.Done:
        this.finish(batch);
        break;
      case NodeMessageKind.Failed:
        this.finish(batch, new WorkerNodeLostError(message[2]));
        break;
    }
  }

  /** Results arrived for `batch`: passes on those of tasks still waiting, once each. */
  protected deliver(batch: Batch, results: readonly WireResult[], async: readonly number[]): void {
    const { where } = this.booksOf(batch.lane);
    const fresh: WireResult[] = [];
    for (const result of results) {
      // A retried job answers again for tasks that already have a result: drop those.
      if (batch.pending.delete(result[0])) {
        where.delete(result[0]);
        fresh.push(result);
      }
    }
    const wentAsync: number[] = [];
    for (let i = 0; i < async.length; i += 2) {
      if (batch.pending.has(async[i] as number))
        wentAsync.push(async[i] as number, async[i + 1] as number);
    }
    if (fresh.length > 0 || wentAsync.length > 0) batch.lane.deliver(fresh, wentAsync);
  }

  /** Parts and progress arrived for `batch`: passes on those of tasks still waiting. */
  protected deliverEvents(batch: Batch, events: readonly WireEvent[]): void {
    if (!Array.isArray(events)) return;
    const fresh = events.filter((event) => Array.isArray(event) && batch.pending.has(event[0]));
    if (fresh.length > 0) batch.lane.deliverEvents(fresh);
  }
}
