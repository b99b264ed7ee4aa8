/**
 * One `abort` listener per signal, however many calls share it: a signal passed to thousands of
 * calls must neither print `MaxListenersExceededWarning` nor cost a listener per call.
 */

type OnAbort = () => void;

/** Calls every callback registered for a signal when it aborts. */
export class AbortRegistry {
  private readonly bySignal = new WeakMap<AbortSignal, Set<OnAbort>>();

  /** Calls `onAbort` once when `signal` aborts; returns the function that unregisters it. */
  add(signal: AbortSignal, onAbort: OnAbort): () => void {
    let callbacks = this.bySignal.get(signal);
    if (!callbacks) {
      const set = new Set<OnAbort>();
      callbacks = set;
      this.bySignal.set(signal, set);
      const fire = (): void => {
        this.bySignal.delete(signal);
        for (const callback of [...set]) callback();
      };
      signal.addEventListener('abort', fire, { once: true });
      // Remembered so the listener goes once the last call is done with the signal.
      listeners.set(set, fire);
    }
    const set = callbacks;
    set.add(onAbort);
    return () => {
      if (!set.delete(onAbort) || set.size > 0) return;
      const fire = listeners.get(set);
      listeners.delete(set);
      if (this.bySignal.get(signal) === set) this.bySignal.delete(signal);
      if (fire) signal.removeEventListener('abort', fire);
    };
  }
}

const listeners = new WeakMap<Set<OnAbort>, OnAbort>();
