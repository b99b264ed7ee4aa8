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
  Outcome,
  type WireJob,
  type WireResult,
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
   * Runs one job's batch; resolves once every task has settled and its result was sent. With
   * `setup` (the caller's initializer), that runs first, once per node; if it fails, every task
   * of the batch is answered with its `WorkerStartError`.
   */
  async run(
    caller: string,
    jobId: string,
    jobs: readonly WireJob[],
    setup?: string,
  ): Promise<void> {
    if (setup !== undefined) {
      try {
        await this.setups.prepare(setup);
      } catch (error) {
        const thrown = encodeThrown(error);
        const results = jobs.map((job): WireResult => [job[0], Outcome.Threw, thrown, 0, 0]);
        await this.send(caller, [encodeNodeMessage([NodeMessageKind.Results, jobId, results, []])]);
        return;
      }
    }
    return this.runPrepared(caller, jobId, jobs);
  }

  private runPrepared(caller: string, jobId: string, jobs: readonly WireJob[]): Promise<void> {
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
      this.post({ mh: BRAND, k: 'jobs', jobs: local });
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
