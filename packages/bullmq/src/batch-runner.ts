/**
 * The node side's port adapter: runs the batches of many callers on one core worker runtime
 * (loaded once with the node's task module), and routes every result back to its caller and
 * BullMQ job. The runtime only ever sees node-local job ids, so callers cannot collide.
 */
import {
  BRAND,
  type EncodedThrown,
  encodeThrown,
  type HostMessage,
  JobKind,
  Outcome,
  type WireEvent,
  type WireJob,
  type WireResult,
  WorkerExitError,
  type WorkerMessage,
} from '@manyhands/core';
import { startWorkerRuntime } from '@manyhands/core/worker';
import { NodeSetups } from './node-setup.js';
import { encodeNodeMessage, NodeMessageKind } from './wire.js';

/** Sends encoded messages to a caller; resolves `false` when the caller is gone. */
export type SendToCaller = (caller: string, messages: Buffer[]) => Promise<boolean>;

interface RunningBatch {
  readonly caller: string;
  readonly jobId: string;
  /** Caller's task id → node-local id, for tasks not yet settled. */
  readonly local: Map<number, number>;
  readonly sends: Promise<unknown>[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
}

interface Entry {
  readonly batch: RunningBatch;
  readonly wireId: number;
}

/** Why a stream whose node was lost fails rather than run again (its parts were sent). */
function streamLost(): WorkerExitError {
  const error = new WorkerExitError({ exitCode: null, signal: null });
  error.message =
    'The worker node running this stream was lost mid-stream. A stream is not run again (its ' +
    'caller has read parts of it already): call stream() again to start over.';
  return error;
}

/** Runs batches on the node's worker runtime. */
export class BatchRunner {
  /** Task names once the module loaded; rejects with the encoded load error. */
  readonly ready: Promise<readonly string[]>;
  private readonly send: SendToCaller;
  private deliver: ((message: unknown) => void) | undefined;
  private readonly entries = new Map<number, Entry>();
  private readonly byCaller = new Map<string, Set<RunningBatch>>();
  private readonly byJob = new Map<string, RunningBatch>();
  private nextId = 1;
  private onReady: ((tasks: readonly string[]) => void) | undefined;
  private onLoadError: ((error: EncodedThrown) => void) | undefined;
  private onExit: (() => void) | undefined;
  /** Tasks run so far, for the node's log. */
  tasksRun = 0;
  /** The callers' initializers and teardowns run on this node. */
  private readonly setups: NodeSetups;

  constructor(module: string, send: SendToCaller) {
    this.send = send;
    this.setups = new NodeSetups(module);
    this.ready = new Promise((resolve, reject) => {
      this.onReady = resolve;
      this.onLoadError = reject;
    });
    startWorkerRuntime(
      {
        post: (message) => this.receive(message),
        onMessage: (handler) => {
          this.deliver = handler;
        },
        exit: () => this.onExit?.(),
        sharesThread: true,
      },
      // The runtime runs whatever the callers' schedulers sent: they bound the load per lane.
      { module, concurrency: Number.POSITIVE_INFINITY },
    );
  }

  /** BullMQ jobs running now. */
  get running(): number {
    return this.byJob.size;
  }

  private post(message: HostMessage): void {
    this.deliver?.(message);
  }

  /**
   * Runs one job's batch; resolves once every task has settled and its result was sent.
   * `rerun`: BullMQ started this job before (its node was lost): its streams already sent parts
   * that cannot be taken back, so they fail with `WorkerExitError` instead of starting over.
   * `setup` (the caller's initializer) runs first, once per node; if it fails, every task of the
   * batch is answered with its `WorkerStartError`.
   */
  async run(
    caller: string,
    jobId: string,
    jobs: readonly WireJob[],
    options: { rerun?: boolean; setup?: string } = {},
  ): Promise<void> {
    if (options.setup !== undefined) {
      try {
        await this.setups.prepare(options.setup);
      } catch (error) {
        const thrown = encodeThrown(error);
        const results = jobs.map((job): WireResult => [job[0], Outcome.Threw, thrown, 0, 0]);
        await this.send(caller, [encodeNodeMessage([NodeMessageKind.Results, jobId, results, []])]);
        return;
      }
    }
    return this.runPrepared(caller, jobId, jobs, options);
  }

  private runPrepared(
    caller: string,
    jobId: string,
    jobs: readonly WireJob[],
    options: { rerun?: boolean },
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      if (jobs.length === 0) {
        resolve();
        return;
      }
      const batch: RunningBatch = {
        caller,
        jobId,
        local: new Map(),
        sends: [],
        resolve,
        reject,
        settled: false,
      };
      const local: WireJob[] = jobs.map((job) => {
        const id = this.nextId++;
        batch.local.set(job[0], id);
        this.entries.set(id, { batch, wireId: job[0] });
        const copy = [...job] as unknown[];
        copy[0] = id;
        return copy as unknown as WireJob;
      });
      this.byJob.set(jobId, batch);
      const set = this.byCaller.get(caller) ?? new Set();
      this.byCaller.set(caller, set);
      set.add(batch);
      this.tasksRun += jobs.length;
      const lost: WireResult[] = [];
      const fresh = options.rerun
        ? local.filter((job) => {
            if (job[1] !== JobKind.Stream) return true;
            lost.push([job[0], Outcome.Threw, encodeThrown(streamLost()), 0, 0]);
            return false;
          })
        : local;
      if (lost.length > 0) this.route(lost, []);
      if (fresh.length > 0) this.post({ mh: BRAND, k: 'jobs', jobs: fresh });
    });
  }

  /**
   * Cancels a caller's tasks: some by id, all of one job, or all of the caller. The runtime
   * aborts their `taskSignal()` and drops their results; sync code already running finishes.
   */
  cancel(caller: string, options: { ids?: readonly number[]; job?: string } = {}): void {
    const batches = options.job
      ? [this.byJob.get(options.job)].filter((b) => b?.caller === caller)
      : [...(this.byCaller.get(caller) ?? [])];
    const local: number[] = [];
    for (const batch of batches as RunningBatch[]) {
      if (options.ids) {
        for (const id of options.ids) {
          const l = batch.local.get(id);
          if (l !== undefined) local.push(l);
        }
      } else local.push(...batch.local.values());
    }
    if (local.length > 0) this.post({ mh: BRAND, k: 'cancel', ids: local });
  }

  /** A caller read parts of its stream task `id`: the runtime may produce `n` more. */
  credit(caller: string, id: number, n: number): void {
    if (!Number.isInteger(id) || !Number.isInteger(n) || n <= 0) return;
    for (const batch of this.byCaller.get(caller) ?? []) {
      const local = batch.local.get(id);
      if (local !== undefined) this.post({ mh: BRAND, k: 'credit', id: local, n });
    }
  }

  /** Gives up one job (the node hands it back to the queue): its tasks' results are dropped. */
  abandon(jobId: string, error: unknown): void {
    const batch = this.byJob.get(jobId);
    if (!batch) return;
    const local = [...batch.local.values()];
    for (const id of local) this.entries.delete(id);
    batch.local.clear();
    this.forget(batch);
    this.post({ mh: BRAND, k: 'cancel', ids: local });
    batch.reject(error);
  }

  /**
   * Asks the runtime to stop once idle; resolves when it has, and the teardowns of the setups
   * this node ran have run (each within its `teardownTimeout`).
   */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.onExit = resolve;
      this.post({ mh: BRAND, k: 'stop' });
    });
    await this.setups.teardown();
  }

  private receive(message: WorkerMessage): void {
    switch (message.k) {
      case 'ready':
        this.onReady?.(message.tasks);
        break;
      case 'load-error':
        this.onLoadError?.(message.error);
        break;
      case 'results':
        this.route(message.results, message.async ?? []);
        break;
      case 'cancelled':
        for (const id of message.ids) this.settle(id);
        break;
      case 'events':
        this.routeEvents(message.events);
        break;
    }
  }

  /**
   * Sends parts and progress to their callers, in order and ahead of any later results. Throws
   * before sending anything if one cannot be encoded (the runtime then finds the bad one).
   */
  private routeEvents(events: readonly WireEvent[]): void {
    const groups = new Map<RunningBatch, WireEvent[]>();
    for (const event of events) {
      const entry = this.entries.get(event[0]);
      if (!entry) continue;
      let group = groups.get(entry.batch);
      if (!group) {
        group = [];
        groups.set(entry.batch, group);
      }
      group.push([entry.wireId, event[1], event[2]]);
    }
    const out: [RunningBatch, Buffer][] = [];
    for (const [batch, group] of groups) {
      out.push([batch, encodeNodeMessage([NodeMessageKind.Events, batch.jobId, group])]);
    }
    for (const [batch, buffer] of out) {
      const sent = this.send(batch.caller, [buffer]);
      sent.catch(() => {});
      batch.sends.push(sent);
    }
  }

  /** Sends results to their callers. Throws before sending anything if one cannot be encoded. */
  private route(results: readonly WireResult[], async: readonly number[]): void {
    const groups = new Map<RunningBatch, { results: WireResult[]; async: number[] }>();
    const group = (batch: RunningBatch) => {
      let g = groups.get(batch);
      if (!g) {
        g = { results: [], async: [] };
        groups.set(batch, g);
      }
      return g;
    };
    for (const result of results) {
      const entry = this.entries.get(result[0]);
      if (!entry) continue;
      const copy = [...result] as WireResult;
      copy[0] = entry.wireId;
      group(entry.batch).results.push(copy);
    }
    for (let i = 0; i < async.length; i += 2) {
      const entry = this.entries.get(async[i] as number);
      if (entry) group(entry.batch).async.push(entry.wireId, async[i + 1] as number);
    }
    // Encode everything first: on a value that cannot be cloned this throws, and the runtime
    // posts the results again one by one, replacing the bad one with a NotCloneableError.
    const byCaller = new Map<string, { buffers: Buffer[]; batches: RunningBatch[] }>();
    for (const [batch, g] of groups) {
      const buffer = encodeNodeMessage([NodeMessageKind.Results, batch.jobId, g.results, g.async]);
      let out = byCaller.get(batch.caller);
      if (!out) {
        out = { buffers: [], batches: [] };
        byCaller.set(batch.caller, out);
      }
      out.buffers.push(buffer);
      out.batches.push(batch);
    }
    for (const [caller, out] of byCaller) {
      const sent = this.send(caller, out.buffers).then((alive) => {
        // Nobody waits for these results any more: stop the caller's other tasks too.
        if (!alive) this.cancel(caller);
      });
      sent.catch(() => {}); // awaited by each batch below; never an unhandled rejection
      for (const batch of out.batches) batch.sends.push(sent);
    }
    for (const result of results) this.settle(result[0]);
  }

  /** A task has settled (result sent, or cancelled); its job finishes with its last task. */
  private settle(localId: number): void {
    const entry = this.entries.get(localId);
    if (!entry) return;
    this.entries.delete(localId);
    const { batch } = entry;
    batch.local.delete(entry.wireId);
    if (batch.local.size > 0 || batch.settled) return;
    this.forget(batch);
    Promise.all(batch.sends).then(() => batch.resolve(), batch.reject);
  }

  private forget(batch: RunningBatch): void {
    batch.settled = true;
    this.byJob.delete(batch.jobId);
    const set = this.byCaller.get(batch.caller);
    set?.delete(batch);
    if (set?.size === 0) this.byCaller.delete(batch.caller);
  }
}
