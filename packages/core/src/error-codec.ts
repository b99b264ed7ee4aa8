/**
 * Moves a thrown value across a structured-clone boundary with its class name, message, stack,
 * `cause` chain and own properties (such as `code`) intact. Structured clone alone keeps only
 * built-in error types and drops the class name and custom properties of everything else.
 */
import {
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

const MAX_DEPTH = 16;

function cloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return typeof value !== 'symbol';
  }
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Turns any thrown value into a form that survives structured clone. */
export function encodeThrown(thrown: unknown, depth = 0): EncodedThrown {
  if (!(thrown instanceof Error)) {
    if (cloneable(thrown)) return { t: 'value', value: thrown };
    return { t: 'value', value: String(thrown) };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (key === 'cause' || key === 'errors' || key === 'name') continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    if (cloneable(value)) props[key] = value;
  }
  const out: {
    t: 'error';
    name: string;
    message: string;
    stack: string | undefined;
    props: Record<string, unknown>;
    cause?: EncodedThrown;
    errors?: EncodedThrown[];
  } = {
    t: 'error',
    name: errorName(thrown),
    message: String(thrown.message),
    stack: typeof thrown.stack === 'string' ? thrown.stack : undefined,
    props,
  };
  if ('cause' in thrown && depth < MAX_DEPTH) out.cause = encodeThrown(thrown.cause, depth + 1);
  if (thrown instanceof AggregateError && Array.isArray(thrown.errors) && depth < MAX_DEPTH) {
    out.errors = thrown.errors.map((e: unknown) => encodeThrown(e, depth + 1));
  }
  return out;
}

/** The class name a reader expects to see: the constructor's name, else `error.name`. */
function errorName(error: Error): string {
  const ctor = (error as { constructor?: { name?: unknown } }).constructor;
  if (ctor && typeof ctor.name === 'string' && ctor.name && ctor.name !== 'Error') return ctor.name;
  return typeof error.name === 'string' && error.name ? error.name : 'Error';
}

type ErrorClass = abstract new (...args: never[]) => Error;

const builtins: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};

const ownClasses: Record<string, ErrorClass> = {
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
};

const synthesized = new Map<string, ErrorClass>();

/** A class named like the original, so `err.constructor.name` and `err.name` read as thrown. */
function classFor(name: string): ErrorClass {
  const known = builtins[name] ?? ownClasses[name];
  if (known) return known;
  let cls = synthesized.get(name);
  if (!cls) {
    const holder = {
      [name]: class extends Error {},
    };
    cls = holder[name] as ErrorClass;
    synthesized.set(name, cls);
  }
  return cls;
}

/** Rebuilds a thrown value from {@link encodeThrown}'s output. */
export function decodeThrown(encoded: EncodedThrown): unknown {
  if (encoded.t === 'value') return encoded.value;
  const cls = classFor(encoded.name);
  const error = Object.create(cls.prototype) as Error & Record<string, unknown>;
  define(error, 'message', encoded.message);
  if (encoded.stack !== undefined) define(error, 'stack', encoded.stack);
  if (error.name !== encoded.name) define(error, 'name', encoded.name);
  if (encoded.cause !== undefined) define(error, 'cause', decodeThrown(encoded.cause));
  if (encoded.errors) define(error, 'errors', encoded.errors.map(decodeThrown));
  for (const [key, value] of Object.entries(encoded.props)) error[key] = value;
  return error;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}
