/**
 * The host's check of an `events` message (parts and progress of running jobs): like every
 * worker message it is untrusted, so each event must be `[id, kind, value]` with a numeric id
 * and a known kind before the scheduler routes it to a call.
 */
import { EventKind, type WireEvent } from './protocol.js';

/** Whether `events` is a list of well-formed {@link WireEvent}s. */
export function checkWireEvents(events: unknown): events is readonly WireEvent[] {
  if (!Array.isArray(events)) return false;
  for (const event of events) {
    if (!Array.isArray(event) || event.length !== 3) return false;
    const id: unknown = event[0];
    const kind: unknown = event[1];
    if (typeof id !== 'number' || !Number.isInteger(id)) return false;
    if (kind !== EventKind.Part && kind !== EventKind.Progress) return false;
  }
  return true;
}
