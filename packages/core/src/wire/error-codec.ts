/**
 * Moves a thrown value across a structured-clone boundary with its class name, message, stack,
 * `cause` chain and own properties (such as `code`) intact. Structured clone alone keeps only
 * built-in error types and drops the class name and custom properties of everything else.
 *
 * Both directions treat their input as hostile: a task may throw anything (a Proxy whose traps
 * throw, an error whose `message` getter throws, a cause cycle, a `name` of `__proto__`), and a
 * worker may send anything. Neither function ever throws; each returns the best description it
 * can, built only from own properties and a fixed, null-prototype table of known classes.
 */
import {
  describeThrown,
  ExecutorClosedError,
  ExecutorTerminatedError,
  ManyhandsError,
  ModuleLoadError,
  NotCloneableError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkerExitError,
  WorkerStartError,
} from './errors.js';

/** A thrown value in wire form. */
export type EncodedThrown =
  | {
      readonly t: 'error';
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      readonly props: Record<string, unknown>;
      readonly cause?: EncodedThrown;
      readonly errors?: EncodedThrown[];
    }
  | { readonly t: 'value'; readonly value: unknown };

/** Deepest `cause`/`errors` nesting kept; deeper links are dropped. */
const MAX_DEPTH = 16;
/** Most errors encoded or decoded for one thrown value (an `errors` tree can branch). */
const MAX_NODES = 256;
/** Most `errors` members kept per AggregateError. */
const MAX_MEMBERS = 64;
/** Most synthesized classes kept; past it, new names get a class that is not cached. */
const MAX_SYNTHESIZED = 512;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type EncodedError = Extract<EncodedThrown, { t: 'error' }>;

/** `{ ok: true, value }` when `read()` returns, `{ ok: false }` when it throws. */
function attempt<T>(read: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: read() };
  } catch {
    return { ok: false };
  }
}

/**
 * A structured clone of `value`, or `undefined` when it cannot be cloned (or a getter throws
 * while it is read). The clone, not the original, goes on the wire: it holds only plain data,
 * so posting it cannot run a getter again or fail a second time.
 */
function cloned(value: unknown): { value: unknown } | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return typeof value === 'symbol' ? undefined : { value };
  }
  const copy = attempt(() => structuredClone(value));
  return copy.ok ? { value: copy.value } : undefined;
}

/** `instanceof Error`, false when a Proxy's `getPrototypeOf` trap throws. */
function isError(value: unknown): value is Error {
  const result = attempt(() => value instanceof Error);
  return result.ok && result.value;
}

/** Turns any thrown value into a form that survives structured clone. Never throws. */
export function encodeThrown(thrown: unknown): EncodedThrown {
  const budget = { nodes: 0 };
  return encodeOne(thrown, 0, new Set(), budget);
}

function encodeOne(
  thrown: unknown,
  depth: number,
  path: Set<unknown>,
  budget: { nodes: number },
): EncodedThrown {
  if (!isError(thrown)) {
    const copy = cloned(thrown);
    return copy ? { t: 'value', value: copy.value } : { t: 'value', value: describeThrown(thrown) };
  }
  budget.nodes++;
  const error = thrown as Error & Record<string, unknown>;
  const name = attempt(() => errorName(error));
  const message = attempt(() => error.message);
  const stack = attempt(() => error.stack);
  const out: Mutable<EncodedError> = {
    t: 'error',
    name: name.ok ? name.value : 'Error',
    message: message.ok ? messageText(message.value) : '',
    stack: stack.ok && typeof stack.value === 'string' ? stack.value : undefined,
    props: encodeProps(error),
  };
  if (depth >= MAX_DEPTH || budget.nodes >= MAX_NODES) return out;
  path.add(thrown);
  const hasCause = attempt(() => 'cause' in error);
  if (hasCause.ok && hasCause.value) {
    const cause = attempt(() => error.cause);
    // A cause cycle (a.cause = a) is cut where it closes.
    if (cause.ok && !path.has(cause.value)) {
      out.cause = encodeOne(cause.value, depth + 1, path, budget);
    }
  }
  const members = attempt(() =>
    error instanceof AggregateError && Array.isArray(error.errors)
      ? (error.errors as unknown[]).slice(0, MAX_MEMBERS)
      : undefined,
  );
  if (members.ok && members.value) {
    const encoded: EncodedThrown[] = [];
    for (const member of members.value) {
      if (budget.nodes >= MAX_NODES) break;
      if (path.has(member)) continue;
      encoded.push(encodeOne(member, depth + 1, path, budget));
    }
    out.errors = encoded;
  }
  path.delete(thrown);
  return out;
}

function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message === undefined) return '';
  return describeThrown(message);
}

/** Own enumerable string-keyed properties that clone, except those the codec carries itself. */
function encodeProps(error: object): Record<string, unknown> {
  const props: Record<string, unknown> = Object.create(null);
  const keys = attempt(() => Object.keys(error));
  if (!keys.ok) return props;
  for (const key of keys.value) {
    if (key === 'cause' || key === 'errors' || key === 'name') continue;
    const value = attempt(() => (error as Record<string, unknown>)[key]);
    if (!value.ok) continue;
    const copy = cloned(value.value);
    // defineProperty, not assignment: a key such as `__proto__` stays a plain own property.
    if (copy) define(props, key, copy.value, true);
  }
  return props;
}

/** The class name a reader expects to see: the constructor's name, else `error.name`. */
function errorName(error: Error): string {
  const ctor = attempt(() => (error as { constructor?: { name?: unknown } }).constructor);
  if (ctor.ok && ctor.value) {
    const ctorName = attempt(() => (ctor.value as { name?: unknown }).name);
    if (ctorName.ok && typeof ctorName.value === 'string' && ctorName.value) {
      if (ctorName.value !== 'Error') return ctorName.value;
    }
  }
  const name = attempt(() => error.name);
  return name.ok && typeof name.value === 'string' && name.value ? name.value : 'Error';
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Classes rebuilt as themselves. Null prototype: `toString` or `__proto__` find nothing here. */
const knownClasses: Readonly<Record<string, ErrorClass>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ErrorClass>, {
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
    AggregateError,
    ManyhandsError,
    ExecutorClosedError,
    ExecutorTerminatedError,
    QueueFullError,
    TaskTimeoutError,
    TaskAbortedError,
    UnknownTaskError,
    ModuleLoadError,
    WorkerExitError,
    WorkerStartError,
    NotCloneableError,
  }),
);

const synthesized = new Map<string, ErrorClass>();

/** A class named like the original, so `err.constructor.name` and `err.name` read as thrown. */
function classFor(name: string): ErrorClass {
  if (Object.hasOwn(knownClasses, name)) return knownClasses[name] as ErrorClass;
  const cached = synthesized.get(name);
  if (cached) return cached;
  const cls = class extends Error {};
  Object.defineProperty(cls, 'name', { value: name, configurable: true });
  if (synthesized.size < MAX_SYNTHESIZED) synthesized.set(name, cls);
  return cls;
}

/**
 * Rebuilds a thrown value from {@link encodeThrown}'s output. Never throws: whatever arrives
 * (including a malformed record from a misbehaving worker) becomes an `Error` or the value.
 */
export function decodeThrown(encoded: EncodedThrown): unknown {
  return decodeOne(encoded, 0, { nodes: 0 });
}

function decodeOne(encoded: unknown, depth: number, budget: { nodes: number }): unknown {
  if (encoded === null || typeof encoded !== 'object') return encoded;
  const record = encoded as Record<string, unknown>;
  const t = ownValue(record, 't');
  if (t === 'value') return ownValue(record, 'value');
  if (t !== 'error') return encoded;
  budget.nodes++;
  const rawName = ownValue(record, 'name');
  const name = typeof rawName === 'string' && rawName ? rawName : 'Error';
  const message = ownValue(record, 'message');
  const stack = ownValue(record, 'stack');
  const error = Object.create(classFor(name).prototype) as Error;
  define(error, 'message', typeof message === 'string' ? message : '');
  if (typeof stack === 'string') define(error, 'stack', stack);
  const inherited = attempt(() => error.name);
  if (!inherited.ok || inherited.value !== name) define(error, 'name', name);
  const deeper = depth < MAX_DEPTH && budget.nodes < MAX_NODES;
  if (deeper && Object.hasOwn(record, 'cause')) {
    define(error, 'cause', decodeOne(ownValue(record, 'cause'), depth + 1, budget));
  }
  const members = ownValue(record, 'errors');
  if (deeper && Array.isArray(members)) {
    const decoded: unknown[] = [];
    for (const member of members.slice(0, MAX_MEMBERS)) {
      if (budget.nodes >= MAX_NODES) break;
      decoded.push(decodeOne(member, depth + 1, budget));
    }
    define(error, 'errors', decoded);
  }
  const props = ownValue(record, 'props');
  if (props !== null && typeof props === 'object') {
    const keys = attempt(() => Object.keys(props));
    for (const key of keys.ok ? keys.value : []) {
      if (SHADOWING.has(key)) continue;
      define(error, key, ownValue(props as Record<string, unknown>, key), true);
    }
  }
  return error;
}

/**
 * Own properties a rebuilt error never gets: they would shadow a method of `Error.prototype` or
 * `Object.prototype` (`toString`, `valueOf`, `constructor`, …) with data, since functions never
 * survive a clone, and `String(error)` or a logger would then throw.
 */
const SHADOWING: ReadonlySet<string> = new Set(
  [
    ...Object.getOwnPropertyNames(Object.prototype),
    ...Object.getOwnPropertyNames(Error.prototype),
  ].filter((key) => key !== 'message' && key !== 'name'),
);

/** An own data property's value; `undefined` for inherited, accessor or missing ones. */
function ownValue(record: object, key: string): unknown {
  const descriptor = attempt(() => Object.getOwnPropertyDescriptor(record, key));
  return descriptor.ok && descriptor.value && 'value' in descriptor.value
    ? descriptor.value.value
    : undefined;
}

function define(target: object, key: string, value: unknown, enumerable = false): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}
