/**
 * A "worker" as core's scheduler sees it: a virtual lane of the caller. Each batch the scheduler
 * sends it becomes one BullMQ job; results come back through the caller's session and are handed
 * to the scheduler as if a local worker had sent them. The scheduler keeps owning chunking,
 * load, timeouts, abort and stats; the lane only moves batches.
 */
import {
  BRAND,
  type EncodedThrown,
  type HostMessage,
  Outcome,
  type TransportExit,
  type WireEvent,
  type WireResult,
  type WorkerEvents,
  type WorkerHandle,
} from '@manyhands/core';
import type { LaneSession, LaneSink } from './lane-contract.js';
import { encodeJobs } from './wire.js';

/** One virtual worker of a caller. */
export class Lane implements WorkerHandle, LaneSink {
  readonly id: number;
  private readonly session: LaneSession;
  private readonly events: WorkerEvents;
  private ready = false;
  private stopping = false;
  private exited = false;
  private referenced = true;

  constructor(id: number, session: LaneSession, events: WorkerEvents) {
    this.id = id;
    this.session = session;
    this.events = events;
  }

  send(message: HostMessage): void {
    if (this.exited) return;
    switch (message.k) {
      case 'jobs':
        // Encoded now, so a value that cannot be cloned throws to the scheduler at once.
        this.session.submit(this, message.jobs, encodeJobs(message.jobs));
        break;
      case 'cancel':
        this.session.cancel(this, message.ids);
        break;
      case 'credit':
        this.session.credit(this, message.id, message.n);
        break;
      case 'stop':
        this.stopping = true;
        this.exitWhenDone();
        break;
    }
  }

  terminate(): void {
    if (this.exited) return;
    this.session.abandon(this);
    this.end({ exitCode: 1, signal: null });
  }

  ref(): void {
    if (this.referenced || this.exited) return;
    this.referenced = true;
    this.session.ref(1);
  }

  unref(): void {
    if (!this.referenced || this.exited) return;
    this.referenced = false;
    this.session.ref(-1);
  }

  /** Worker nodes serve the queue: the scheduler may send work. */
  becomeReady(tasks: readonly string[]): void {
    if (this.exited || this.ready) return;
    this.ready = true;
    this.events.message({ mh: BRAND, k: 'ready', tasks });
  }

  /** The only nodes on the queue could not load their task module. */
  loadFailed(error: EncodedThrown): void {
    if (this.exited || this.ready) return;
    this.events.message({ mh: BRAND, k: 'load-error', error });
  }

  /** The session could not start (Redis unreachable, no node): the scheduler rejects its queue. */
  die(error: unknown): void {
    this.end({ exitCode: 1, signal: null, error });
  }

  /** Results (and "went async" pairs) of tasks still waiting, as the session filtered them. */
  deliver(results: readonly WireResult[], async: readonly number[]): void {
    if (this.exited) return;
    this.events.message({ mh: BRAND, k: 'results', results, async });
  }

  /** Parts and progress of tasks still waiting; the scheduler checks each event's shape. */
  deliverEvents(events: readonly WireEvent[]): void {
    if (this.exited) return;
    this.events.message({ mh: BRAND, k: 'events', events });
  }

  /** Rejects tasks with `error` (delivered as is: no copy, so its class survives). */
  fail(ids: readonly number[], error: unknown): void {
    if (ids.length === 0 || this.exited) return;
    const thrown: EncodedThrown = { t: 'value', value: error };
    this.events.message({
      mh: BRAND,
      k: 'results',
      results: ids.map((id): WireResult => [id, Outcome.Threw, thrown, 0, 0]),
    });
  }

  /** A batch is gone from Redis. */
  batchFinished(): void {
    this.exitWhenDone();
  }

  private exitWhenDone(): void {
    if (this.stopping && this.session.batchesHeld(this) === 0)
      this.end({ exitCode: 0, signal: null });
  }

  private end(exit: TransportExit): void {
    if (this.exited) return;
    this.exited = true;
    if (this.referenced) this.session.ref(-1);
    // The last lane out closes the session; the scheduler hears of the exit once Redis is clean.
    void this.session.detach(this).finally(() => this.events.exit(exit));
  }
}
