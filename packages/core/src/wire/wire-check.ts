/**
 * The host's check of what a worker sends: a worker runs the user's code, so a message that
 * carries our brand may still be malformed (a task that posts on the pool's own port, a bug, a
 * forged message). Only messages of the right shape reach the scheduler; anything else is
 * dropped, so no field of a message is trusted before it has been checked here.
 */
import { checkWireEvents } from './event-check.js';
import { BRAND, Outcome, type WireResult, type WorkerMessage } from './protocol.js';

function isIntegerArray(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'number' || !Number.isFinite(item)) return false;
  return true;
}

function isWireResult(value: unknown): value is WireResult {
  if (!Array.isArray(value) || value.length < 5) return false;
  const [id, outcome, , runMs, blockMs, index, heapGrowth] = value as unknown[];
  return (
    typeof id === 'number' &&
    (outcome === Outcome.Ok || outcome === Outcome.Threw) &&
    typeof runMs === 'number' &&
    typeof blockMs === 'number' &&
    (index === undefined || typeof index === 'number') &&
    (heapGrowth === undefined || (typeof heapGrowth === 'number' && Number.isFinite(heapGrowth)))
  );
}

/** The message as a {@link WorkerMessage} when it is one of ours and well formed, else undefined. */
export function checkWorkerMessage(value: unknown): WorkerMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  let m: Record<string, unknown>;
  try {
    m = value as Record<string, unknown>;
    if (m.mh !== BRAND) return undefined;
    switch (m.k) {
      case 'results': {
        const results = m.results;
        if (!Array.isArray(results) || !results.every(isWireResult)) return undefined;
        if (m.async !== undefined && !isIntegerArray(m.async)) return undefined;
        if (m.given !== undefined && !isIntegerArray(m.given)) return undefined;
        if (m.started !== undefined && typeof m.started !== 'number') return undefined;
        if (m.dying !== undefined && !(isIntegerArray(m.dying) && m.dying.length === 2)) {
          return undefined;
        }
        if (m.heap !== undefined && !(typeof m.heap === 'number' && m.heap >= 0)) return undefined;
        return value as WorkerMessage;
      }
      case 'ready': {
        const tasks = m.tasks;
        if (!Array.isArray(tasks) || !tasks.every((t) => typeof t === 'string')) return undefined;
        return value as WorkerMessage;
      }
      case 'load-error':
        if (m.initializer !== undefined && typeof m.initializer !== 'string') return undefined;
        return 'error' in m ? (value as WorkerMessage) : undefined;
      case 'cancelled':
        return isIntegerArray(m.ids) ? (value as WorkerMessage) : undefined;
      case 'events':
        return checkWireEvents(m.events) ? (value as WorkerMessage) : undefined;
      default:
        return undefined;
    }
  } catch {
    // A getter or a proxy on a message from user code: not ours.
    return undefined;
  }
}
