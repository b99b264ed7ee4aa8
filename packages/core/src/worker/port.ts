/** The runtime's view of its transport: how a worker entry lets it talk to the host. */
import type { WorkerMessage } from '../wire/protocol.js';

/** What a transport's worker entry hands the runtime: a way to talk to the host. */
export interface WorkerPort {
  /** Sends one message to the host; may throw when the message cannot be cloned. */
  post(message: WorkerMessage): void;
  /** Registers the handler for messages from the host. */
  onMessage(handler: (message: unknown) => void): void;
  /**
   * Optional synchronous send, for the moment the worker is about to die (`process.exit` from a
   * task, an uncaught exception): when it returns, the message is in the channel and reaches the
   * host even if the process or thread ends right after. Transports whose `post` already hands
   * the message over synchronously (worker_threads) need not provide it.
   */
  postSync?(message: WorkerMessage): void;
  /**
   * True when `post` serializes with a `v8.Serializer` (the process backends). Such a
   * serializer keeps every object it wrote reachable until the serializer itself is garbage
   * collected, so the runtime empties the arrays it made for a message (a map chunk's results)
   * once the message is posted: their values then die young instead of surviving a collection,
   * which costs a worker that returns many results a third of its time in GC.
   */
  readonly emptiesPosted?: boolean;
  /** Ends this worker after a graceful stop, once every reply has been posted. */
  exit(): void;
  /**
   * Optional synchronous poll for the next host message (worker_threads'
   * `receiveMessageOnPort`). With it, an idle worker briefly spins for new work before it
   * sleeps: waking a sleeping thread costs tens of microseconds on many machines, a spin a few.
   */
  receive?(): { message: unknown } | undefined;
  /**
   * Optional shared words (see `progress-words.ts`): the runtime stores how many jobs it has
   * started, so the host knows which of the jobs it handed over never started (they can run
   * elsewhere after a crash), and skips the jobs the host took back.
   */
  readonly progress?: Int32Array;
  /**
   * True when the runtime shares its thread with other code that outlives it (the inline
   * backend, a bullmq node): it then installs no `process` exit hooks. Otherwise, when the
   * thread or process is about to die (`process.exit` from a task, an uncaught exception), the
   * runtime sends what it finished and how far it got, so the host fails only what was lost.
   */
  readonly sharesThread?: boolean;
}
